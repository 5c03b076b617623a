using JasperFx.Events;
using Marten;
using Marten.Events;
using Npgsql;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// The stream is the lock: a decider reads its stream's write model with the stream's row locked until its commit, so
/// the deciders of one stream run one after the other, each from what the one before left.
/// </summary>
public static class StreamLock
{
    /// <summary>
    /// Loads <typeparamref name="T"/> for deciding, its stream held until the session commits. A stream that does not
    /// exist yet has no row to lock: its creators (two first turns of a new user, a first turn and the user's erasure,
    /// the first two promotion decisions) queue on a transaction lock of the stream's key instead, and the one that
    /// waited reads again, finding what the other committed.
    /// </summary>
    public static async Task<IEventStream<T>> FetchForDecidingAsync<T>(this IDocumentSession session, string streamId, CancellationToken ct)
        where T : class
    {
        var stream = await session.Events.FetchForExclusiveWriting<T>(streamId, ct);
        if (stream.StartingVersion > 0) return stream;

        await using (var wait = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@space, hashtext(@stream))", session.Connection))
        {
            wait.Parameters.AddWithValue("space", WriteLocks.NewStreamSpace);
            wait.Parameters.AddWithValue("stream", streamId);
            await wait.ExecuteNonQueryAsync(ct);
        }

        // Marten registered the stream as one to start; read again, it must not remember that (a stream created meanwhile
        // is appended to). Nothing else may be queued yet: this comes first in a decider.
        if (session.PendingChanges.Operations().Any() || session.PendingChanges.Streams().Count() > 1)
            throw new InvalidOperationException($"{nameof(FetchForDecidingAsync)} must come before anything is queued in the session.");
        session.EjectAllPendingChanges();
        return await session.Events.FetchForExclusiveWriting<T>(streamId, ct);
    }

    /// <summary>
    /// Locks many streams at once, in one round trip, for a batch of deciders (group commit). Existing streams are
    /// locked in the database's order of their ids, then the keys of those that do not exist yet in the same order, so
    /// two batches cannot deadlock, nor a batch and a single decider (which takes one lock). A stream created between the
    /// two steps is held by neither and comes back in <see cref="StreamHolds.Busy"/>: its request waits for a later batch.
    /// The session's transaction is begun here; the locks last until it commits.
    /// </summary>
    public static async Task<StreamHolds> LockManyAsync(this IDocumentSession session, IReadOnlyCollection<string> streamIds, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        var ids = streamIds.ToArray();
        await using var batch = new NpgsqlBatch(session.Connection)
        {
            BatchCommands =
            {
                Command($"SELECT id, coalesce(version, 0) FROM {StoreTables.Streams} WHERE id = ANY(@ids) ORDER BY id FOR UPDATE", ids),
                Command($"""
                    SELECT x, pg_advisory_xact_lock({WriteLocks.NewStreamSpace}, hashtext(x))
                    FROM (SELECT x FROM unnest(@ids) x WHERE NOT EXISTS (SELECT 1 FROM {StoreTables.Streams} s WHERE s.id = x) ORDER BY x) fresh
                    """, ids),
                // After the keys are held: a stream its creator committed while this batch waited for its key.
                Command($"SELECT id FROM {StoreTables.Streams} WHERE id = ANY(@ids)", ids)
            }
        };

        var existing = new Dictionary<string, long>(StringComparer.Ordinal);
        var keyed = new HashSet<string>(StringComparer.Ordinal);
        var created = new HashSet<string>(StringComparer.Ordinal);
        await using (var reader = await batch.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) existing[reader.GetString(0)] = reader.GetInt64(1);
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct)) keyed.Add(reader.GetString(0));
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct)) created.Add(reader.GetString(0));
        }

        var fresh = keyed.Where(id => !created.Contains(id)).ToHashSet(StringComparer.Ordinal);
        var busy = ids.Where(id => !existing.ContainsKey(id) && !fresh.Contains(id)).ToHashSet(StringComparer.Ordinal);
        return new StreamHolds(existing, fresh, busy);

        static NpgsqlBatchCommand Command(string sql, string[] ids) => new(sql) { Parameters = { new NpgsqlParameter("ids", ids) } };
    }
}

/// <param name="Existing">Streams locked, with their versions.</param>
/// <param name="New">Streams that do not exist, their keys held: the batch may start them.</param>
/// <param name="Busy">Streams the batch holds no lock of (created meanwhile): not to be decided in this batch.</param>
public sealed record StreamHolds(IReadOnlyDictionary<string, long> Existing, IReadOnlySet<string> New, IReadOnlySet<string> Busy);
