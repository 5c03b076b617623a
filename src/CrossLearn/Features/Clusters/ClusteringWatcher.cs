using CrossLearn.Platform.Agents;

namespace CrossLearn.Features.Clusters;

/// <summary>When clusterings run on their own (configuration section <c>Clusters</c>).</summary>
public sealed class ClusteringSchedule
{
    /// <summary>A clustering runs on its own this many hours after the latest (an admin's included); 0: only when asked.</summary>
    public double RunEveryHours { get; set; } = 24;

    /// <summary>Cluster knowledge is judged again this many minutes after the latest evaluation (besides after each run); 0: only then and when asked.</summary>
    public double KnowledgeEveryMinutes { get; set; } = 10;
}

public static class ClusteringRequesters
{
    public const string Schedule = "crosslearn:schedule";
}

/// <summary>
/// Runs a clustering every <see cref="ClusteringSchedule.RunEveryHours"/>, as of the injected clock's now: one
/// instance in the cluster, placed by Wolverine (as the promotion and aging watchers). Off when the setting is 0.
/// </summary>
public sealed class ClusteringWatcher(
    ClusteringRunner runner, ClusteringSchedule schedule, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<ClusteringWatcher> logger)
    : PollingAgent("crosslearn-clustering", logger, time)
{
    protected override bool Enabled => schedule.RunEveryHours > 0;

    // Looks every minute whether a period has passed since the latest run.
    protected override TimeSpan Period => TimeSpan.FromMinutes(1);

    protected override async Task TickAsync(CancellationToken ct)
    {
        if (await runner.LatestAsync(running: false, ct) is { } last && time.GetUtcNow() - last.AsOf < TimeSpan.FromHours(schedule.RunEveryHours)) return;
        // A run elsewhere holds the lock: it is the period's run.
        await runner.TryStartAsync(ClusteringRequesters.Schedule, lifetime.ApplicationStopping, time.GetUtcNow());
    }
}

/// <summary>
/// Judges cluster knowledge every <see cref="ClusteringSchedule.KnowledgeEveryMinutes"/>: ratings and memories change
/// between clusterings, and the promotion rule follows them. One instance in the cluster; off when the setting is 0.
/// </summary>
public sealed class ClusterKnowledgeWatcher(
    ClusterKnowledgeEvaluator evaluator, ClusteringSchedule schedule, TimeProvider time, ILogger<ClusterKnowledgeWatcher> logger)
    : PollingAgent("crosslearn-cluster-knowledge", logger, time)
{
    protected override bool Enabled => schedule.KnowledgeEveryMinutes > 0;

    protected override TimeSpan Period => TimeSpan.FromMinutes(schedule.KnowledgeEveryMinutes);

    protected override Task TickAsync(CancellationToken ct) => evaluator.EvaluateAsync(ClusteringRequesters.Schedule, ct);
}
