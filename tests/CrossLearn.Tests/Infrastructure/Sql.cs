using System.Text.Json;
using CrossLearn.Platform.Storage;
using Npgsql;

namespace CrossLearn.Tests.Infrastructure;

/// <summary>Reads and writes of the test database beside the service, for what a test sets up or checks directly.</summary>
public static class Sql
{
    public sealed record StoredEvent(string Type, JsonElement Data);

    public static async Task<List<StoredEvent>> EventsAsync(string user)
    {
        await using var connection = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT type, data::text FROM {EventStore.Schema}.mt_events WHERE stream_id = @user ORDER BY version", connection);
        command.Parameters.AddWithValue("user", user);
        await using var reader = await command.ExecuteReaderAsync();
        var events = new List<StoredEvent>();
        while (await reader.ReadAsync())
        {
            var type = string.Concat(reader.GetString(0).Split('_').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
            events.Add(new StoredEvent(type, JsonDocument.Parse(reader.GetString(1)).RootElement));
        }

        return events;
    }

    public static async Task ExecuteAsync(string sql, string user)
    {
        await using var connection = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("user", user);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<long> ScalarAsync(string sql, string user)
    {
        await using var connection = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("user", user);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
