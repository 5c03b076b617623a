using CrossLearn.Features.Learning;
using CrossLearn.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Wolverine.Runtime.Agents;

namespace CrossLearn.Tests.Learning;

/// <summary>The periodic aging on an injected clock: as of the clock's moments, once a period, never from a projection's clock.</summary>
public sealed class AgingScheduleTests(AppFixture app) : IntegrationTest(app)
{
    [Fact]
    public async Task The_watcher_ages_the_patterns_as_of_its_clock_once_every_period()
    {
        foreach (var user in Enumerable.Range(0, 2).Select(i => NewUser($"s{i}"))) await App.PostTurnAsync(user, "I prefer scheduled tea.");
        await SettleAsync();

        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var settings = new LearningSettings { AgeEveryHours = 24 };
        IAgent watcher = new AgingWatcher(Store, Host.Services, settings, clock, Host.Services.GetRequiredService<ILogger<AgingWatcher>>());
        await watcher.StartAsync(CancellationToken.None);
        try
        {
            async Task<List<DateTimeOffset>> AgingsAsync(int expected)
            {
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while (true)
                {
                    await using var session = Store.QuerySession();
                    var agings = (await session.Events.FetchStreamAsync(KnowledgeStream.Key)).Select(e => e.Data).OfType<PatternsAged>().Select(a => a.AsOf).ToList();
                    if (agings.Count >= expected || DateTime.UtcNow > deadline) return agings;
                    await Task.Delay(50);
                }
            }

            clock.Advance(TimeSpan.FromMinutes(1));
            Assert.True((await AgingsAsync(1)).SequenceEqual([clock.GetUtcNow()]), $"no aging as of the clock; warnings: {App.Warnings}");

            // Within the period: the watcher looks each minute and ages nothing.
            for (var i = 0; i < 5; i++) clock.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(300);
            Assert.Single(await AgingsAsync(1));

            clock.Advance(TimeSpan.FromHours(24));
            var agings = await AgingsAsync(2);
            Assert.Equal(2, agings.Count);
            Assert.Equal(clock.GetUtcNow(), agings[1]);
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }
}
