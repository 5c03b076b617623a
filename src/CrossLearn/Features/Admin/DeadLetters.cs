using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using JasperFx.Events.Daemon;
using Microsoft.AspNetCore.Authorization;
using CrossLearn.Platform.Sharding;
using Npgsql;
using Wolverine.Http;

namespace CrossLearn.Features.Admin;

/// <summary>One event a projection or subscription skipped. Not the event's payload: it can hold user text.</summary>
/// <param name="Database">The shard database whose event it is (sequences are per database).</param>
public sealed record DeadLetterView(
    string Projection, long EventSequence, string? EventType, string? StreamId, string Reason, DateTimeOffset RecordedAt, string Database);

/// <summary>The dead letters (Platform/Storage/DeadLetterRecords.cs) as an admin reads them.</summary>
public static class DeadLetters
{
    public const int Limit = 1000;

    [WolverineGet("/api/admin/dead-letters")]
    [Authorize(Policy = Policies.Admin)]
    public static async Task<IReadOnlyList<DeadLetterView>> Get(ShardDataSources pools, CancellationToken ct)
    {
        // Every shard database's, the latest first.
        var letters = new List<DeadLetterView>();
        foreach (var database in pools.Map.Databases) letters.AddRange(await OfDatabaseAsync(pools.Of(database), database.Name, ct));
        return letters.OrderByDescending(l => l.RecordedAt).ThenByDescending(l => l.EventSequence).ThenBy(l => l.Projection, StringComparer.Ordinal).Take(Limit).ToList();
    }

    private static async Task<IReadOnlyList<DeadLetterView>> OfDatabaseAsync(NpgsqlDataSource database, string name, CancellationToken ct)
    {
        // The daemon writes a new row each time it skips an event again (a rebuild): one line per projection
        // and event, the latest. "When" is when the row was written: the daemon leaves its own Timestamp empty.
        await using var command = database.CreateCommand($"""
            SELECT d.projection, d.sequence, e.type, e.stream_id, d.exception_type, d.message, d.recorded_at
            FROM (
              SELECT DISTINCT ON (data->>'ProjectionName', (data->>'EventSequence')::bigint)
                     data->>'ProjectionName' AS projection, (data->>'EventSequence')::bigint AS sequence,
                     data->>'ExceptionType' AS exception_type, data->>'ExceptionMessage' AS message,
                     {StoreTables.LastModifiedColumn} AS recorded_at
              FROM {StoreTables.Of<DeadLetterEvent>()}
              ORDER BY data->>'ProjectionName', (data->>'EventSequence')::bigint, {StoreTables.LastModifiedColumn} DESC
            ) d
            LEFT JOIN {StoreTables.Events} e ON e.seq_id = d.sequence
            ORDER BY d.recorded_at DESC, d.sequence DESC, d.projection
            LIMIT {Limit}
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var letters = new List<DeadLetterView>();
        while (await reader.ReadAsync(ct))
            letters.Add(new DeadLetterView(
                reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                $"{(reader.IsDBNull(4) ? "unknown" : reader.GetString(4))}: {(reader.IsDBNull(5) ? "" : reader.GetString(5))}",
                reader.GetFieldValue<DateTimeOffset>(6), name));
        return letters;
    }
}
