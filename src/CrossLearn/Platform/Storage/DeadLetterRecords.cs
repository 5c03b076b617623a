using System.Security.Cryptography;
using System.Text;
using JasperFx.Events;
using JasperFx.Events.Daemon;
using Npgsql;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// Dead letters live in Marten's dead-letter document table, written by the daemon (an event it could not
/// deserialize, an unknown event type, an aggregation that threw) or by a projection or subscription of ours that
/// skips one event of a shape it does not know. The row holds the event's sequence, not its payload.
/// </summary>
public static class DeadLetterRecords
{
    /// <summary>
    /// The dead letter for <paramref name="e"/> skipped by <paramref name="projection"/>. Its id is derived from both,
    /// so a replay (a rebuild, a batch retried after a crash) rewrites the same row instead of adding one.
    /// </summary>
    public static DeadLetterEvent For(string projection, IEvent e, Exception reason) => new()
    {
        Id = new Guid(MD5.HashData(Encoding.UTF8.GetBytes($"{projection}:{e.Sequence}"))),
        ProjectionName = projection,
        ShardName = JasperFx.Events.Projections.ShardName.All,
        EventSequence = e.Sequence,
        ExceptionType = reason.GetType().FullName ?? reason.GetType().Name,
        ExceptionMessage = reason.Message,
        // When the event was skipped (last, if replayed): an operational record, not a read model.
        Timestamp = DateTimeOffset.UtcNow,
        TenantId = e.TenantId
    };

    /// <summary>The dead letters of one stream's events go with them (run before the events are deleted).</summary>
    public static async Task<int> DeleteForStreamAsync(NpgsqlConnection connection, string streamKey, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            DELETE FROM {StoreTables.Of<DeadLetterEvent>()} d
            USING {StoreTables.Events} e
            WHERE e.stream_id = @stream AND e.seq_id = (d.data->>'EventSequence')::bigint
            """, connection);
        command.Parameters.AddWithValue("stream", streamKey);
        return await command.ExecuteNonQueryAsync(ct);
    }
}
