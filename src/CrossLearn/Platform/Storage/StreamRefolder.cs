using System.Collections.Concurrent;
using JasperFx.Events;
using Marten;
using SessionOptions = Marten.Services.SessionOptions;
using Npgsql;

namespace CrossLearn.Platform.Storage;

/// <summary>How much a refold did.</summary>
public sealed record RefoldResult(int Streams, int Events, int Refused);

/// <summary>
/// Folds inline projections again, a batch of streams at a time, each batch in one transaction with its streams' rows
/// locked as every writer locks its own (<see cref="StreamLock"/>): a writer of one of those streams waits for the batch,
/// the writers of all other streams go on, and no document is written from a stream that moves meanwhile. One shard
/// database at a time: its streams, its documents.
/// </summary>
public sealed class StreamRefolder(IDocumentStore store, Sharding.ShardDataSources pools, ILogger<StreamRefolder> logger)
{
    /// <summary>Streams per transaction: few enough that a writer waits a moment, many enough that round trips do not dominate.</summary>
    public const int StreamsPerBatch = 100;

    /// <summary>
    /// Batches refolded side by side: a batch alternates between the service (reading, folding, serialising) and
    /// PostgreSQL (locking, deleting, copying), so two keep both busy. Batches hold disjoint streams and each locks its
    /// own in id order, as writers do, so they cannot deadlock with each other or with writers.
    /// </summary>
    public const int Workers = 2;

    /// <summary>Refolds <paramref name="folds"/> over every stream of <paramref name="database"/> (or only <paramref name="only"/>), in the order streams were created.</summary>
    public async Task<RefoldResult> RefoldAsync(Sharding.ShardDatabase database, IReadOnlyList<IStreamFold> folds, IReadOnlyList<string>? only, CancellationToken ct)
    {
        if (folds.Count == 0) return new RefoldResult(0, 0, 0);
        var all = only ?? await StreamIdsAsync(database, ct);
        var batches = new ConcurrentQueue<string[]>(all.Chunk(StreamsPerBatch));
        var results = await Task.WhenAll(Enumerable.Range(0, Math.Min(Workers, batches.Count)).Select(_ => RefoldBatchesAsync(database, folds, batches, ct)));
        await FinishAsync(database, folds.OfType<IGatheringFold>().ToList(), ct);
        return new RefoldResult(results.Sum(r => r.Streams), results.Sum(r => r.Events), results.Sum(r => r.Refused));
    }

    /// <summary>What the gathering folds gathered over every batch, in one transaction.</summary>
    private async Task FinishAsync(Sharding.ShardDatabase database, IReadOnlyList<IGatheringFold> gathering, CancellationToken ct)
    {
        if (gathering.Count == 0) return;
        await using var connection = await pools.Of(database).OpenConnectionAsync(ct);
        await using var replacement = new DocumentReplacement(store, connection);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var fold in gathering) fold.Finish(replacement);
        await replacement.FlushAsync(ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>One worker: takes batches until none is left.</summary>
    private async Task<RefoldResult> RefoldBatchesAsync(
        Sharding.ShardDatabase database, IReadOnlyList<IStreamFold> folds, ConcurrentQueue<string[]> batches, CancellationToken ct)
    {
        var (streams, events, refused) = (0, 0, 0);
        var tenant = pools.Map.SessionTenantOf(database);
        // One connection per worker, a transaction per batch: the replacement's temporary tables are made once.
        await using var connection = await pools.Of(database).OpenConnectionAsync(ct);
        await using var replacement = new DocumentReplacement(store, connection);
        while (batches.TryDequeue(out var batch))
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            var options = SessionOptions.ForTransaction(transaction);
            if (tenant != null) options.TenantId = tenant;
            await using var session = store.LightweightSession(options);
            await RelaxDurabilityAsync(connection, ct);
            // Streams erased since they were listed are not locked, so not refolded (their documents went with them).
            var locked = await LockAsync(connection, batch, ct);
            if (locked.Count == 0) continue;
            var history = await ReadAsync(session, connection, locked, ct);
            foreach (var fold in folds)
                fold.Refold(replacement, locked, history, (e, reason) =>
                {
                    refused++;
                    logger.LogWarning("Refold of {Projection} skipped {EventType} #{Sequence}: {Reason}", fold.DeadLetterName, e.EventTypeName, e.Sequence, reason.Message);
                    session.Store(DeadLetterRecords.For(fold.DeadLetterName, e, reason));
                });
            await replacement.FlushAsync(ct);
            // The dead letters; the session leaves the commit to the transaction it was given.
            await session.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            (streams, events) = (streams + locked.Count, events + history.Count);
        }

        return new RefoldResult(streams, events, refused);
    }

    /// <summary>The streams holding an event of one of <paramref name="eventTypes"/> (Marten's type names).</summary>
    public async Task<IReadOnlyList<string>> StreamsWithAsync(Sharding.ShardDatabase database, IReadOnlyCollection<string> eventTypes, CancellationToken ct)
    {
        await using var command = pools.Of(database).CreateCommand(
            $"SELECT s.id FROM {StoreTables.Streams} s WHERE EXISTS (SELECT 1 FROM {StoreTables.Events} e WHERE e.stream_id = s.id AND e.type = ANY($1)) ORDER BY s.created, s.id");
        command.Parameters.Add(new NpgsqlParameter { Value = eventTypes.ToArray() });
        return await ReadIdsAsync(command, ct);
    }

    private async Task<IReadOnlyList<string>> StreamIdsAsync(Sharding.ShardDatabase database, CancellationToken ct)
    {
        await using var command = pools.Of(database).CreateCommand($"SELECT id FROM {StoreTables.Streams} ORDER BY created, id");
        return await ReadIdsAsync(command, ct);
    }

    private static async Task<IReadOnlyList<string>> ReadIdsAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>
    /// A refold batch writes only what the events give again, so it does not wait for its own flush to disk: were it
    /// lost in a crash, the documents would be the ones before it, and a later durable commit (a writer's, which
    /// waited for this batch's locks) flushes the log up to and past it.
    /// </summary>
    private static async Task RelaxDurabilityAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SET LOCAL synchronous_commit = off", connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The rows of <paramref name="streams"/> locked in id order, the order writers lock theirs in, so no cycle can form.</summary>
    private static async Task<IReadOnlyList<string>> LockAsync(NpgsqlConnection connection, string[] streams, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT id FROM {StoreTables.Streams} WHERE id = ANY(@ids) ORDER BY id FOR UPDATE", connection);
        command.Parameters.AddWithValue("ids", streams);
        return await ReadIdsAsync(command, ct);
    }

    /// <summary>
    /// The streams' events in order. One that cannot be read (a shape this version does not know) is left out, as the
    /// daemon leaves it out of every projection (the async ones record it as a dead letter).
    /// </summary>
    private async Task<IReadOnlyList<IEvent>> ReadAsync(IDocumentSession session, NpgsqlConnection connection, IReadOnlyList<string> streams, CancellationToken ct)
    {
        try
        {
            return await session.Events.QueryAllRawEvents().Where(e => e.StreamKey!.IsOneOf(streams.ToArray())).OrderBy(e => e.Sequence).ToListAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Rare (a client-side failure: the transaction is intact): stream by stream, and event by event only in a
            // stream that cannot be read whole. Reading the whole batch event by event made every rebuild after a
            // poison event take seconds per batch (CrashTests after PoisonEventTests: 1.6 s growing to 15.7 s).
            logger.LogWarning(e, "Refold reads {Streams} streams one by one", streams.Count);
            var events = new List<IEvent>();
            foreach (var stream in streams)
            {
                try
                {
                    events.AddRange(await session.Events.QueryAllRawEvents().Where(x => x.StreamKey == stream).OrderBy(x => x.Sequence).ToListAsync(ct));
                }
                catch (Exception unreadable) when (unreadable is not OperationCanceledException)
                {
                    events.AddRange(await ReadEventByEventAsync(session, connection, stream, ct));
                }
            }

            return events.OrderBy(x => x.Sequence).ToList();
        }
    }

    private async Task<IReadOnlyList<IEvent>> ReadEventByEventAsync(IDocumentSession session, NpgsqlConnection connection, string stream, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT id, seq_id, type FROM {StoreTables.Events} WHERE stream_id = @id ORDER BY seq_id", connection);
        command.Parameters.AddWithValue("id", stream);
        var ids = new List<(Guid Id, long Sequence, string Type)>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) ids.Add((reader.GetGuid(0), reader.GetInt64(1), reader.GetString(2)));

        var events = new List<IEvent>(ids.Count);
        foreach (var (id, sequence, type) in ids)
        {
            try
            {
                if (await session.Events.LoadAsync(id, ct) is { } loaded) events.Add(loaded);
            }
            catch (Exception unreadable) when (unreadable is not OperationCanceledException)
            {
                logger.LogWarning("Refold skipped unreadable {EventType} #{Sequence}: {Reason}", type, sequence, unreadable.Message);
            }
        }

        return events;
    }
}
