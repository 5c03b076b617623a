using CrossLearn.Platform.Sharding;
using CrossLearn.Features.Learners;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Npgsql;

namespace CrossLearn.Features.Memories.Reextraction;

/// <summary>
/// Replays every recorded user message through the current rules, one user at a time with that user's stream locked
/// (new turns wait a moment, never fail), and appends only the differences (<see cref="ReextractionDecider"/>).
/// One run at a time in the cluster (an advisory lock held on a connection of its own, to the first database, for the
/// whole run). The shard databases are done one after the other, in pool order, each user in their own. A run that
/// stopped half-way goes on from its cursor (a database and a sequence in it) when asked again; a user done twice gets
/// nothing new the second time.
/// </summary>
public sealed class ReextractionRunner(
    IDocumentStore store, ShardDataSources pools, ShardSessions sessions, TimeProvider time, ILogger<ReextractionRunner> logger)
{
    private const int ProgressEveryUsers = 50;
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(2);

    public sealed record Started(ReextractionRun Run, bool Resumed, Task Completion);

    /// <summary>Starts (or resumes) a run in the background; null with the running one when another run holds the lock.</summary>
    public async Task<(Started? Started, ReextractionRun? Running)> TryStartAsync(string requestedBy, CancellationToken stopping)
    {
        var held = await RunLock.TryTakeAsync(pools.First, WriteLocks.ReextractionKey, stopping);
        if (held == null) return (null, await LatestAsync(running: true, stopping));
        ReextractionRun run;
        bool resumed;
        try
        {
            (run, resumed) = await BeginAsync(requestedBy, time.GetUtcNow(), stopping);
        }
        catch
        {
            await held.DisposeAsync();
            throw;
        }

        // The lock's connection goes with the run: let go when it ends, or closed when this process dies.
        var completion = Task.Run(async () =>
        {
            try { await RunAsync(run, stopping); }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested) { logger.LogInformation("Re-extraction {Run} paused by shutdown", run.RunId); }
            catch (Exception e) { logger.LogError(e, "Re-extraction {Run} failed; asking again resumes it", run.RunId); throw; }
            finally { await held.DisposeAsync(); }
        }, CancellationToken.None);
        return (new Started(run, resumed, completion), null);
    }

    public async Task<ReextractionRun?> LatestAsync(bool running, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        var runs = session.Query<ReextractionRun>();
        return running
            ? await runs.Where(r => r.Status == ReextractionRun.Running).OrderByDescending(r => r.StartedAt).FirstOrDefaultAsync(ct)
            : await runs.OrderByDescending(r => r.StartedAt).FirstOrDefaultAsync(ct);
    }

    private async Task<(ReextractionRun Run, bool Resumed)> BeginAsync(string requestedBy, DateTimeOffset now, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        // Holding the lock, a run still marked running is one whose node stopped: go on with it.
        if (await LatestAsync(running: true, ct) is { } stopped)
        {
            session.Events.Append(stopped.Id, new ReextractionResumed(stopped.RunId, requestedBy, now));
            await session.SaveChangesAsync(ct);
            return ((await session.LoadAsync<ReextractionRun>(stopped.Id, ct))!, true);
        }

        var runId = Guid.CreateVersion7(now);
        var users = 0;
        foreach (var database in pools.Map.Databases) users += (await UsersAfterAsync(database, 0, ct)).Count;
        session.Events.StartStream(ReextractionStream.For(runId), new ReextractionStarted(runId, ExtractorVersion.Current, requestedBy, users, now));
        await session.SaveChangesAsync(ct);
        return ((await session.LoadAsync<ReextractionRun>(ReextractionStream.For(runId), ct))!, false);
    }

    private async Task RunAsync(ReextractionRun run, CancellationToken ct)
    {
        var (done, appended, skipped) = (run.UsersDone, run.EventsAppended, run.UsersSkipped);
        // The cursor's database and those after it; the cursor counts in its own database only.
        var databases = pools.Map.Databases;
        var from = run.CursorDatabase == null ? 0 : Math.Max(0, databases.ToList().FindIndex(d => d.Name == run.CursorDatabase));
        var remaining = new List<(ShardDatabase Database, List<(string UserId, long FirstSequence)> Users)>();
        for (var i = from; i < databases.Count; i++)
            remaining.Add((databases[i], await UsersAfterAsync(databases[i], i == from ? run.Cursor : 0, ct)));
        var total = done + remaining.Sum(r => r.Users.Count);
        var (cursor, cursorDatabase) = (run.Cursor, databases[from].Name);
        var lastReport = time.GetUtcNow();
        var sinceReport = 0;
        foreach (var (database, users) in remaining)
        foreach (var (userId, firstSequence) in users)
        {
            try
            {
                appended += await ReextractUserAsync(database, userId, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException && !ProblemResponses.IsStorageUnavailable(e))
            {
                // An event this version cannot read (docs/reliability.md, poison events): the user keeps what they had.
                logger.LogWarning(e, "Re-extraction skipped a user whose events could not be replayed");
                skipped++;
            }

            done++;
            sinceReport++;
            (cursor, cursorDatabase) = (firstSequence, database.Name);
            if (sinceReport >= ProgressEveryUsers || time.GetUtcNow() - lastReport >= ProgressEvery)
            {
                await RecordAsync(run, new ReextractionProgressed(run.RunId, cursor, done, total, appended, skipped, time.GetUtcNow(), cursorDatabase), ct);
                (lastReport, sinceReport) = (time.GetUtcNow(), 0);
            }
        }

        await RecordAsync(run, new ReextractionProgressed(run.RunId, cursor, done, total, appended, skipped, time.GetUtcNow(), cursorDatabase), ct);
        await RecordAsync(run, new ReextractionCompleted(run.RunId, done, appended, skipped, time.GetUtcNow()), ct);
        logger.LogInformation("Re-extraction {Run} completed: {Users} users, {Events} events appended, {Skipped} skipped", run.RunId, done, appended, skipped);
    }

    /// <summary>
    /// One user, in one transaction with the user's stream locked: what the current rules would have learned, minus what
    /// is held (folded from the same history, not read from the memories read model).
    /// </summary>
    private async Task<int> ReextractUserAsync(ShardDatabase database, string userId, CancellationToken ct)
    {
        await using var session = sessions.Write(database);
        var stream = await session.FetchForDecidingAsync<Learner>(userId, ct);
        var history = await session.Events.FetchStreamAsync(userId, token: ct);
        if (history.Count == 0) return 0; // erased meanwhile
        var events = ReextractionDecider.Decide(userId, history.Select(e => e.Data).ToList(), MemoryExtractor.Extract,
            MemoryProjection.Fold(history), time.GetUtcNow(), ExtractorVersion.Current);
        if (events.Count == 0) return 0;
        stream.AppendMany(events);
        await session.SaveChangesAsync(ct);
        return events.Count;
    }

    private async Task RecordAsync(ReextractionRun run, object e, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.Events.Append(run.Id, e);
        await session.SaveChangesAsync(ct);
    }

    /// <summary>A database's users in the order of their first event, after <paramref name="cursor"/>: the service's own streams are not users.</summary>
    private async Task<List<(string UserId, long FirstSequence)>> UsersAfterAsync(ShardDatabase database, long cursor, CancellationToken ct)
    {
        await using var command = pools.Of(database).CreateCommand($"""
            SELECT stream_id, min(seq_id) AS first FROM {StoreTables.Events}
            WHERE NOT starts_with(stream_id, $1) GROUP BY stream_id HAVING min(seq_id) > $2 ORDER BY first
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = UserIds.ReservedPrefix });
        command.Parameters.Add(new NpgsqlParameter { Value = cursor });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var users = new List<(string, long)>();
        while (await reader.ReadAsync(ct)) users.Add((reader.GetString(0), reader.GetInt64(1)));
        return users;
    }
}
