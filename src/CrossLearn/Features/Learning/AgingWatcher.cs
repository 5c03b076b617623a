using CrossLearn.Platform.Agents;
using Marten;
using Wolverine;

namespace CrossLearn.Features.Learning;

/// <summary>
/// Ages the patterns every <see cref="LearningSettings.AgeEveryHours"/> on its own, as of the injected clock's now: one
/// instance in the cluster, placed by Wolverine (as the promotion watcher). Off when the setting is 0.
/// </summary>
public sealed class AgingWatcher(IDocumentStore store, IServiceProvider services, LearningSettings settings, TimeProvider time, ILogger<AgingWatcher> logger)
    : PollingAgent("crosslearn-aging", logger, time)
{
    protected override bool Enabled => settings.AgeEveryHours > 0;

    // Looks every minute whether a period has passed since the latest aging (an admin's included).
    protected override TimeSpan Period => TimeSpan.FromMinutes(1);

    protected override async Task TickAsync(CancellationToken ct)
    {
        await using (var session = store.QuerySession())
        {
            var book = await session.LoadAsync<KnowledgeBook>(KnowledgeStream.Key, ct);
            if (book?.LastAgedAt is { } last && time.GetUtcNow() - last < TimeSpan.FromHours(settings.AgeEveryHours)) return;
        }

        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IMessageBus>().InvokeAsync<AgingSummary?>(new AgePatterns(time.GetUtcNow(), AgingRequesters.Schedule), ct);
    }
}
