using System.Diagnostics;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;
using IMartenCoordinator = Marten.Events.Daemon.Coordination.IProjectionCoordinator;
using Wolverine.Runtime.Agents;

namespace CrossLearn.Features.Admin;

public sealed record RebuildResult(IReadOnlyList<string> Projections, double Seconds);

/// <summary>
/// Rebuilds every projection from the events, the write models (Learner, KnowledgeBook) with the read models. Writers
/// wait meanwhile (the stream table is held, Platform/Storage/AllStreams), so no decision is taken from a half-rebuilt model
/// and no inline write lands in a document being rebuilt.
/// </summary>
public sealed class ProjectionRebuilder(
    IDocumentStore store, IMartenCoordinator coordinator, NpgsqlDataSource database,
    IEnumerable<RebuildClears> clears, IEnumerable<NotRebuilt> notRebuilt)
{
    public async Task<RebuildResult> RebuildAllAsync(CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        // The names come back quoted for display. Subscriptions the modules named are not read models.
        var skipped = notRebuilt.Select(n => n.SubscriptionName).ToHashSet();
        var names = ((DocumentStore)store).Options.Projections.AllProjectionNames().Select(n => n.Trim('\''))
            .Where(n => !skipped.Contains(n))
            .ToList();
        // Before anything is cleared: a rebuild that cannot run must leave the read models as they are.
        var daemon = await DaemonOfThisNodeAsync(ct);
        await using (await AllStreams.HoldAsync(database, ct))
        {
            // Hand-written projections (batching across users): Marten does not know which documents to clear for them.
            foreach (var document in clears.Where(c => names.Contains(c.ProjectionName)).SelectMany(c => c.Documents))
                await store.Advanced.Clean.DeleteDocumentsByTypeAsync(document, ct);
            // One after the other: side by side (seven projections since the re-extraction runs got theirs), a rebuild
            // failed now and then in the daemon's event loader on the 2-core CI machine (ConcurrencyTests, two full runs
            // of two); the reads add up instead.
            try
            {
                foreach (var name in names) await daemon.RebuildProjectionAsync(name, TimeSpan.FromMinutes(30), ct);
            }
            finally
            {
                // The daemon leaves a rebuilt async projection stopped (also when the rebuild failed), and Wolverine's
                // supervision did not start it again: new turns would not reach the patterns. Starting a shard that
                // is already running is a no-op.
                foreach (var shard in ((DocumentStore)store).Options.Projections.AllShards().Where(s => names.Contains(s.Name.Name)))
                    await daemon.StartAgentAsync(shard.Name, CancellationToken.None);
            }
        }

        return new RebuildResult(names, Math.Round(watch.Elapsed.TotalSeconds, 3));
    }

    /// <summary>
    /// Wolverine places the projection agents on a node some seconds after it starts: a rebuild asked for just after a
    /// start waits for them (up to <see cref="DaemonWait"/>), then gives up with <see cref="DaemonNotRunningOnThisNodeException"/>.
    /// </summary>
    private async Task<JasperFx.Events.Daemon.IProjectionDaemon> DaemonOfThisNodeAsync(CancellationToken ct)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return coordinator.DaemonForMainDatabase();
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
    [WolverinePost("/api/admin/projections/rebuild")]
    [Authorize(Policy = Policies.Admin)]
    public static async Task<IResult> Post(ProjectionRebuilder rebuilder, CancellationToken ct)
    {
        try
        {
            return Results.Ok(await rebuilder.RebuildAllAsync(ct));
        }
        catch (DaemonNotRunningOnThisNodeException)
        {
            return ProblemResponses.Result(StatusCodes.Status503ServiceUnavailable, "Rebuild unavailable",
                "This node runs no projection daemon (yet): nothing was changed. Ask again in a few seconds, or ask the node that runs the projections.");
        }
    }
}
