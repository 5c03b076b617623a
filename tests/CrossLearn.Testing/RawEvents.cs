using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Npgsql;

namespace CrossLearn.Testing;

/// <summary>Events stored behind the service's back, as a newer or broken writer would.</summary>
public static class RawEvents
{
    /// <summary>Appends <paramref name="json"/> as an event of <paramref name="type"/> to an existing stream (under its tenant); returns its sequence.</summary>
    public static async Task<long> AppendAsync(string ownerConnectionString, string streamId, string type, string json)
    {
        await using var connection = new NpgsqlConnection(ownerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            WITH bumped AS (UPDATE {EventStore.Schema}.mt_streams SET version = version + 1 WHERE id = @stream RETURNING version, tenant_id)
            INSERT INTO {EventStore.Schema}.mt_events (seq_id, id, stream_id, version, data, type, timestamp, tenant_id, is_archived)
            SELECT nextval('{EventStore.Schema}.mt_events_sequence'), gen_random_uuid(), @stream, bumped.version, @data::jsonb, @type,
                   now(), bumped.tenant_id, false
            FROM bumped
            RETURNING seq_id
            """, connection);
        command.Parameters.AddWithValue("stream", streamId);
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("data", json);
        return (long)(await command.ExecuteScalarAsync() ?? throw new InvalidOperationException($"no stream {streamId}"));
    }
}
