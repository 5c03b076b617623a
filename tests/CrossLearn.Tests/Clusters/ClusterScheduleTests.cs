using CrossLearn.Features.Clusters;
using CrossLearn.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Wolverine.Runtime.Agents;

namespace CrossLearn.Tests.Clusters;

/// <summary>The periodic clustering on an injected clock: as of the clock's moments, once a period.</summary>
public sealed class ClusterScheduleTests(AppFixture app) : IntegrationTest(app)
{
    [Fact]
    public async Task The_watcher_runs_a_clustering_as_of_its_clock_once_every_period()
    {
        foreach (var user in Enumerable.Range(0, 3).Select(i => NewUser($"s{i}"))) await App.PostTurnAsync(user, "I prefer tea.");

        var clock = new FakeTimeProvider(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero));
        IAgent watcher = new ClusteringWatcher(Host.Services.GetRequiredService<ClusteringRunner>(), new ClusteringSchedule { RunEveryHours = 24 },
            Host.Services.GetRequiredService<IHostApplicationLifetime>(), clock, Host.Services.GetRequiredService<ILogger<ClusteringWatcher>>());
        await watcher.StartAsync(CancellationToken.None);
        try
        {
            async Task<List<ClusteringRun>> RunsAsync(int expected)
            {
                var deadline = DateTime.UtcNow.AddSeconds(10);
                while (true)
                {
                    await using var session = Store.QuerySession();
                    var runs = (await session.Query<ClusteringRun>().ToListAsync()).OrderBy(r => r.AsOf).ToList();
                    if ((runs.Count >= expected && runs.All(r => r.Status != ClusteringRun.Running)) || DateTime.UtcNow > deadline) return runs;
                    await Task.Delay(50);
                }
            }

            clock.Advance(TimeSpan.FromMinutes(1));
            var first = Assert.Single(await RunsAsync(1));
            Assert.Equal((clock.GetUtcNow(), ClusteringRequesters.Schedule, ClusteringRun.Completed, 3), (first.AsOf, first.RequestedBy, first.Status, first.UsersClustered));

            // Within the period: the watcher looks each minute and runs nothing.
            for (var i = 0; i < 5; i++) clock.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(300);
            Assert.Single(await RunsAsync(1));

            clock.Advance(TimeSpan.FromHours(24));
            var runs = await RunsAsync(2);
            Assert.Equal(2, runs.Count);
            Assert.Equal(clock.GetUtcNow(), runs[1].AsOf);
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }
}
