using CrossLearn.Platform.Sharding;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Platform.Storage;
using Marten;
using Npgsql;

namespace CrossLearn.Features.Clusters;

/// <summary>
/// Runs a clustering in the background: reads what every user taught (non-personal memories from the pattern
/// threshold's confidence on) and everyone's cluster now, clusters (<see cref="Clustering"/>, pure, on a thread of its
/// own), and writes only the changed memberships to the users' streams, a batch of users at a time with their streams
/// locked (turns wait a moment, never fail). Users are read from every shard database and each change is written in
/// its user's. One run at a time in the cluster: an advisory lock held on a connection of its own (to the first
/// database) for the whole run. A user erased meanwhile is skipped (their stream is not created again).
/// </summary>
public sealed class ClusteringRunner(
    IDocumentStore store, ShardDataSources pools, ShardSessions sessions, LearningSettings learning, ClusteringParameters parameters,
    ClusterKnowledgeEvaluator knowledge, TimeProvider time, ILogger<ClusteringRunner> logger)
{
    private const int UsersPerBatch = 500;

    public sealed record Started(ClusteringRun Run, Task Completion);

    /// <summary>Starts a run in the background, as of <paramref name="asOf"/> (default: now); null with the running one when another run holds the lock.</summary>
    public async Task<(Started? Started, ClusteringRun? Running)> TryStartAsync(string requestedBy, CancellationToken stopping, DateTimeOffset? asOf = null)
    {
        var held = await RunLock.TryTakeAsync(pools.First, WriteLocks.ClusteringKey, stopping);
        if (held == null) return (null, await LatestAsync(running: true, stopping));
        ClusteringRun run;
        try
        {
            run = await BeginAsync(requestedBy, asOf ?? time.GetUtcNow(), stopping);
        }
        catch
        {
            await held.DisposeAsync();
            throw;
        }

        var completion = Task.Run(async () =>
        {
            try { await RunAsync(run, stopping); }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested) { logger.LogInformation("Clustering {Run} stopped by shutdown", run.RunId); }
            catch (Exception e)
            {
                logger.LogError(e, "Clustering {Run} failed", run.RunId);
                try { await RecordAsync(run, new ClusteringFailed(run.RunId, $"{e.GetType().Name}: {e.Message}", time.GetUtcNow()), CancellationToken.None); }
                catch (Exception unrecorded) { logger.LogError(unrecorded, "Clustering {Run}: the failure could not be recorded", run.RunId); }
                throw;
            }
            finally { await held.DisposeAsync(); }
        }, CancellationToken.None);
        return (new Started(run, completion), null);
    }

    public async Task<ClusteringRun?> LatestAsync(bool running, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var runs = session.Query<ClusteringRun>();
        return running
            ? await runs.Where(r => r.Status == ClusteringRun.Running).OrderByDescending(r => r.AsOf).FirstOrDefaultAsync(ct)
            : await runs.OrderByDescending(r => r.AsOf).FirstOrDefaultAsync(ct);
    }

    private async Task<ClusteringRun> BeginAsync(string requestedBy, DateTimeOffset asOf, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var runId = Guid.CreateVersion7(asOf);
        session.Events.StartStream(ClusteringStream.For(runId), new ClusteringStarted(runId, ClusteringParameters.Algorithm, parameters, requestedBy, asOf));
        await session.SaveChangesAsync(ct);
        return (await session.LoadAsync<ClusteringRun>(ClusteringStream.For(runId), ct))!;
    }

    private async Task RunAsync(ClusteringRun run, CancellationToken ct)
    {
        var taught = await TaughtAsync(ct);
        var previous = await MembershipsAsync(ct);
        var outcome = await Task.Run(() => Clustering.Run(taught, run.Parameters), ct);
        var decision = ClusterDecider.Decide(outcome, previous, run.RunId, run.AsOf);

        var pending = decision.Changes.ToList();
        var written = 0;
        var idle = 0;
        while (pending.Count > 0)
        {
            var batch = pending.Take(UsersPerBatch).ToList();
            pending.RemoveRange(0, batch.Count);
            var (done, busy) = await WriteAsync(batch, ct);
            written += done;
            pending.AddRange(busy);
            await RecordAsync(run, new ClusteringProgressed(run.RunId, written, decision.Changes.Count, time.GetUtcNow()), ct);
            // Streams being created by their first turn right now: a moment later they exist.
            if (busy.Count == batch.Count && ++idle > 100) throw new TimeoutException("Clustering: users' streams stayed busy.");
            if (busy.Count > 0) await Task.Delay(20, ct);
        }

        // New memberships move holders between clusters: their knowledge is judged on the new counts before the run is
        // done, so a completed run's clusters have their knowledge.
        await knowledge.EvaluateAsync(ClusteringStream.For(run.RunId), ct);
        var changed = decision.Changes.OfType<UserClustered>().Count();
        var unclustered = decision.Changes.OfType<UserUnclustered>().Count();
        await RecordAsync(run, new ClusteringCompleted(run.RunId, outcome.Clusters, decision.Sizes, outcome.Tried, outcome.Tokens, outcome.Labels.Count,
            changed, unclustered, time.GetUtcNow()), ct);
        logger.LogInformation("Clustering {Run} completed: {Clusters} clusters, {Users} users, {Changed} changed", run.RunId, outcome.Clusters,
            outcome.Labels.Count, changed);
    }

    /// <summary>One transaction per shard database for a batch of users' changes; returns how many were written and those to try again.</summary>
    private async Task<(int Written, List<object> Busy)> WriteAsync(IReadOnlyList<object> changes, CancellationToken ct)
    {
        var written = 0;
        var busy = new List<object>();
        foreach (var inDatabase in changes.GroupBy(c => sessions.Map.DatabaseOfUser(UserOf(c))))
        {
            await using var session = sessions.Write(inDatabase.Key);
            var byUser = inDatabase.ToDictionary(UserOf, StringComparer.Ordinal);
            var holds = await session.LockManyAsync(byUser.Keys, ct);
            foreach (var (user, change) in byUser)
            {
                // No stream: the user was erased after the memories were read. Nothing to write for them.
                if (!holds.Existing.TryGetValue(user, out var version)) continue;
                session.Events.Append(user, version + 1, change);
                written++;
            }

            await session.SaveChangesAsync(ct);
            busy.AddRange(byUser.Where(c => holds.Busy.Contains(c.Key)).Select(c => c.Value));
        }

        return (written, busy);
    }

    private static string UserOf(object change) => change switch
    {
        UserClustered c => c.UserId,
        UserUnclustered u => u.UserId,
        _ => throw new ArgumentOutOfRangeException(nameof(change), change.GetType().Name, "not a membership change")
    };

    private async Task RecordAsync(ClusteringRun run, object e, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.Events.Append(run.Id, e);
        await session.SaveChangesAsync(ct);
    }

    /// <summary>Each user's tokens: their non-personal memories at the pattern threshold's confidence or more, from every shard database.</summary>
    private async Task<Dictionary<string, IReadOnlySet<string>>> TaughtAsync(CancellationToken ct)
    {
        var items = new Dictionary<string, List<TaughtItem>>(StringComparer.Ordinal);
        foreach (var database in pools.Map.Databases)
        {
            await using var command = pools.Of(database).CreateCommand($"""
                SELECT user_id, type, key, data->>'Category' FROM {StoreTables.Of<Memory>()}
                WHERE confidence >= $1 AND type <> $2 ORDER BY user_id
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = learning.PatternMinConfidence });
            command.Parameters.Add(new NpgsqlParameter { Value = MemoryTypes.PersonalInfo });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var user = reader.GetString(0);
                if (!items.TryGetValue(user, out var list)) items[user] = list = [];
                list.Add(new TaughtItem(reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }

        return items.ToDictionary(i => i.Key, i => ClusterFeatures.Tokens(i.Value), StringComparer.Ordinal);
    }

    private async Task<Dictionary<string, int>> MembershipsAsync(CancellationToken ct)
    {
        var memberships = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var database in pools.Map.Databases)
        {
            await using var command = pools.Of(database).CreateCommand($"SELECT id, cluster_id FROM {StoreTables.Of<ClusterMembership>()}");
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) memberships[reader.GetString(0)] = reader.GetInt32(1);
        }

        return memberships;
    }
}
