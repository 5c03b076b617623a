using System.Diagnostics;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Sharding;
using CrossLearn.Platform.Storage;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;
using IMartenCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;
using Wolverine.Runtime.Agents;

namespace CrossLearn.Features.Admin;

public sealed record RebuildResult(IReadOnlyList<string> Projections, int Streams, int Events, double Seconds, IReadOnlyList<RebuildStep> Steps);

/// <summary>One part of a rebuild and how long it took: the inline folds together, then each async projection.</summary>
public sealed record RebuildStep(string Name, double Seconds);

/// <summary>
/// Rebuilds every projection from the events while writers go on. The inline ones (the write models Learner and
/// KnowledgeBook with the read models) are folded again stream by stream, each batch of streams under its streams' locks
/// (<see cref="StreamRefolder"/>): a writer of a stream in the batch waits a moment, no decision is taken from a half
/// rebuilt model and no inline write lands in a document being rebuilt. The async projections that can be folded
/// the same way (<see cref="IShardFold"/>: the patterns) are counted in the same pass while their daemon batches wait
/// (<see cref="RebuildAnnouncement.HoldOffAsync"/>); the daemon replays any other from the start.
/// </summary>
public sealed class ProjectionRebuilder(
    IDocumentStore store, IMartenCoordinator coordinator, ShardDataSources pools, StreamRefolder refolder,
    IEnumerable<IStreamFold> folds, IEnumerable<IShardFold> shardFolds, IEnumerable<NotRebuilt> notRebuilt)
{
    public Task<RebuildResult> RebuildAllAsync(CancellationToken ct) => RebuildAsync(pools.Map.Databases, ct);

    /// <summary>Rebuilds the projections of these shard databases, one after the other; the others' are left as they are.</summary>
    public async Task<RebuildResult> RebuildAsync(IReadOnlyList<ShardDatabase> databases, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var projections = ((DocumentStore)store).Options.Projections;
        // The names come back quoted for display. Subscriptions the modules named are not read models.
        var skipped = notRebuilt.Select(n => n.SubscriptionName).ToHashSet();
        var asyncShards = projections.AllShards().Where(s => !skipped.Contains(s.Name.Name)).ToList();
        var asyncNames = asyncShards.Select(s => s.Name.Name).Distinct().ToList();
        var inlineNames = projections.AllProjectionNames().Select(n => n.Trim('\'')).Where(n => !skipped.Contains(n) && !asyncNames.Contains(n)).ToList();
        var refolded = folds.ToList();
        // Every inline projection must have its fold, or a rebuild would leave it as it was.
        if (inlineNames.Count != refolded.Count)
            throw new InvalidOperationException($"Inline projections [{string.Join(", ", inlineNames)}] and stream folds [{string.Join(", ", refolded.Select(f => f.ProjectionType.Name))}] do not match.");

        // Async projections folded with the inline ones; the daemon replays the others. (A projection whose batches wait
        // for the announcement, as the patterns' do, must have its fold: replayed under the announcement, it would wait
        // for itself.)
        var shardFolded = shardFolds.ToList();
        var replayed = asyncNames.Where(name => shardFolded.All(f => f.ProjectionName != name)).ToList();

        // Before anything is changed: a rebuild that cannot run in every database asked for must leave the read models as
        // they are. Only a replay needs this node's daemon: the folded projections' batches wait for the announcement
        // below on whichever node runs them, so with nothing to replay any node rebuilds (in a cluster the projection
        // agents of the databases are spread over the nodes, and no node may run them all).
        var daemons = new List<(ShardDatabase Database, JasperFx.Events.Daemon.IProjectionDaemon? Daemon)>();
        foreach (var database in databases) daemons.Add((database, replayed.Count == 0 ? null : await DaemonOfThisNodeAsync(database, ct)));

        var steps = new List<RebuildStep>();
        var (streams, events) = (0, 0);
        foreach (var (database, daemon) in daemons)
        {
            // Each database is rebuilt on its own (its streams, documents and daemon); its steps are named after it in a pool.
            var prefix = pools.Map.Databases.Count > 1 ? $"{database.Name}: " : "";
            // Background readers of the patterns (the promotion watcher) hold off until the rebuild is done; writers never ask.
            await using (await RebuildAnnouncement.AnnounceAsync(pools.Of(database), ct))
            {
                var step = Stopwatch.StartNew();
                try
                {
                    // The folded shards' daemon batches wait for the announcement above, wherever they run, and go on
                    // from their own progress after it: what they read again, the refold counted already (no-ops).
                    var refold = await refolder.RefoldAsync(database, [.. refolded, .. shardFolded.Select(f => f.Begin())], only: null, ct);
                    (streams, events) = (streams + refold.Streams, events + refold.Events);
                    steps.Add(new RebuildStep(prefix + string.Join(", ", ["inline folds", .. shardFolded.Select(f => f.ProjectionName)]), Math.Round(step.Elapsed.TotalSeconds, 3)));

                    // The daemon stops each one, deletes its documents (its DeleteViewTypeOnTeardown) and replays from the start.
                    // One after the other: side by side, a rebuild failed now and then in the daemon's event loader on the
                    // 2-core CI machine (ConcurrencyTests, two full runs of two).
                    foreach (var name in replayed)
                    {
                        step.Restart();
                        await daemon!.RebuildProjectionAsync(name, TimeSpan.FromMinutes(30), ct);
                        steps.Add(new RebuildStep(prefix + name, Math.Round(step.Elapsed.TotalSeconds, 3)));
                    }
                }
                finally
                {
                    // The daemon leaves a rebuilt async projection stopped (also when the rebuild failed), and Wolverine's
                    // supervision did not start it again: new turns would not reach the patterns. Starting a shard that
                    // is already running is a no-op.
                    if (daemon != null)
                        foreach (var shard in asyncShards)
                            await daemon.StartAgentAsync(shard.Name, CancellationToken.None);
                }
            }
        }

        return new RebuildResult([.. inlineNames, .. asyncNames], streams, events, Math.Round(watch.Elapsed.TotalSeconds, 3), steps);
    }

    /// <summary>
    /// Wolverine places the projection agents on a node some seconds after it starts: a rebuild asked for just after a
    /// start waits for them (up to <see cref="DaemonWait"/>), then gives up with <see cref="DaemonNotRunningOnThisNodeException"/>.
    /// </summary>
    private async Task<JasperFx.Events.Daemon.IProjectionDaemon> DaemonOfThisNodeAsync(ShardDatabase database, CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await coordinator.DaemonForDatabase(database.Name);
            }
            catch (DaemonNotRunningOnThisNodeException) when (waited.Elapsed < DaemonWait)
            {
                await Task.Delay(250, ct);
            }
        }
    }

    public static readonly TimeSpan DaemonWait = TimeSpan.FromSeconds(30);
}

public static class RebuildProjectionsEndpoint
{
    /// <summary>Rebuilds every shard database's projections, or only those of the one named by <c>?database=</c>.</summary>
    [WolverinePost("/api/admin/projections/rebuild")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<RebuildResult>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status503ServiceUnavailable, "application/problem+json")]
    public static async Task<IResult> Post(string? database, ProjectionRebuilder rebuilder, ShardMap map, CancellationToken ct)
    {
        var chosen = database == null ? map.Databases : map.Databases.Where(d => d.Name == database).ToList();
        if (chosen.Count == 0)
            return ProblemResponses.Result(StatusCodes.Status400BadRequest, "Unknown database",
                $"The pool has no database named '{database}'; its databases are {string.Join(", ", map.Databases.Select(d => d.Name))}.");
        try
        {
            return Results.Ok(await rebuilder.RebuildAsync(chosen, ct));
        }
        catch (DaemonNotRunningOnThisNodeException)
        {
            return ProblemResponses.Result(StatusCodes.Status503ServiceUnavailable, "Rebuild unavailable",
                "This node runs no projection daemon (yet): nothing was changed. Ask again in a few seconds, or ask the node that runs the projections.");
        }
    }
}
