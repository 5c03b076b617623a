using System.Text.Json;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Npgsql;

namespace CrossLearn.Features.Live;

/// <summary>One notification: for one user (<see cref="UserId"/>) or for everyone (null).</summary>
/// <param name="Database">The shard database whose feed the row is in (its place in the pool): ids are per database.</param>
public sealed record LiveNotification(long Id, string? UserId, string Type, string Payload, int Database = 0);

/// <summary>
/// Where a reader is in every shard database's feed: the last id seen in each, in pool order. It is the stream's event
/// id, written as the ids joined by dots ("1234" with one database, as before the pool; "1234.567" with two), so a
/// client reconnecting with Last-Event-ID resumes in each database where it left it.
/// </summary>
public sealed class FeedPosition
{
    private readonly long[] _ids;

    public FeedPosition(IReadOnlyList<long> ids) => _ids = [.. ids];

    /// <summary>The position a client sent, or null when it is not one of this pool's (another count of databases, not numbers).</summary>
    public static FeedPosition? TryParse(string? text, int databases)
    {
        var parts = text?.Split('.') ?? [];
        var ids = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out ids[i])) return null;
        return parts.Length == databases ? new FeedPosition(ids) : null;
    }

    public long this[int database] => _ids[database];

    /// <summary>Moves past <paramref name="row"/>; false when it was seen already (replayed and heard live both).</summary>
    public bool Advance(LiveNotification row)
    {
        if (row.Id <= _ids[row.Database]) return false;
        _ids[row.Database] = row.Id;
        return true;
    }

    public override string ToString() => string.Join('.', _ids);
}

/// <summary>
/// The live feed table: notifications derived from the event store, kept for an hour so a client that reconnects
/// with Last-Event-ID gets what it missed. Every insert is followed by a NOTIFY on <see cref="Channel"/>, which
/// every node LISTENs to, so a change made through one node reaches clients of all nodes.
/// </summary>
public static class LiveFeed
{
    public const string Channel = "crosslearn_live";
    public static readonly TimeSpan Retention = TimeSpan.FromHours(1);
    private static string Table => $"{EventStore.Schema}.live_feed";

    public static string CreateSql => $"""
        CREATE TABLE IF NOT EXISTS {Table} (
          id bigserial PRIMARY KEY, user_id text NULL, type text NOT NULL, payload jsonb NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now());
        CREATE INDEX IF NOT EXISTS live_feed_user ON {Table} (user_id);
        CREATE OR REPLACE FUNCTION {EventStore.Schema}.live_feed_notify() RETURNS trigger LANGUAGE plpgsql AS
          $$ BEGIN PERFORM pg_notify('{Channel}', ''); RETURN NULL; END $$;
        DROP TRIGGER IF EXISTS live_feed_notify ON {Table};
        CREATE TRIGGER live_feed_notify AFTER INSERT ON {Table} FOR EACH STATEMENT EXECUTE FUNCTION {EventStore.Schema}.live_feed_notify();
        """;

    /// <summary>
    /// For Marten's QueueSqlCommand ('?' placeholders). A trigger NOTIFYs every node when it commits. Readers follow
    /// the feed by id, so ids must become visible in order: two writers (the live-feed subscription's batches and
    /// the promotion decisions) would otherwise commit out of order, and a reader that had moved past a later id never
    /// saw the earlier one (2 of 133 notifications lost in the full benchmark). Each writing transaction takes a lock
    /// before its first id and keeps it until it commits.
    /// </summary>
    public static string InsertSql => Insert("?", "?", "?");

    private static string Insert(string userId, string type, string payload) =>
        $"INSERT INTO {Table} (user_id, type, payload) SELECT {userId}::text, {type}::text, {payload}::jsonb " +
        $"FROM (SELECT pg_advisory_xact_lock({WriteLocks.Space}, {WriteLocks.LiveFeedOrderKey})) AS in_commit_order";

    public static object[] InsertArguments(string? userId, string type, object payload) =>
        [(object?)userId ?? DBNull.Value, type, JsonSerializer.Serialize(payload, JsonSerializerOptions.Web)];

    /// <summary>Adds a notification in the connection's current transaction (outside a Marten session).</summary>
    public static async Task PublishAsync(NpgsqlConnection connection, string? userId, string type, object payload, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(Insert("$1", "$2", "$3"), connection);
        foreach (var argument in InsertArguments(userId, type, payload)) command.Parameters.Add(new NpgsqlParameter { Value = argument });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Rows of one database's feed after <paramref name="afterId"/>; for one user (with the global ones) or, with null, all.</summary>
    public static async Task<IReadOnlyList<LiveNotification>> ReadAfterAsync(
        NpgsqlDataSource database, int databaseIndex, long afterId, string? forUser, bool everything, int limit, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"""
            SELECT id, user_id, type, payload::text FROM {Table}
            WHERE id > @after AND (@everything OR user_id IS NULL OR user_id = @user)
            ORDER BY id LIMIT @limit
            """);
        command.Parameters.AddWithValue("after", afterId);
        command.Parameters.AddWithValue("everything", everything);
        command.Parameters.AddWithValue("user", (object?)forUser ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<LiveNotification>();
        while (await reader.ReadAsync(ct))
            rows.Add(new LiveNotification(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetString(3), databaseIndex));
        return rows;
    }

    public static async Task<long> NewestIdAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"SELECT coalesce(max(id), 0) FROM {Table}");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    public static async Task PruneAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"DELETE FROM {Table} WHERE created_at < now() - @retention");
        command.Parameters.AddWithValue("retention", Retention);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Erasure: the user's notifications hold what they wrote. For Marten's QueueSqlCommand ('?' placeholder).</summary>
    public static string DeleteForUserSql => $"DELETE FROM {Table} WHERE user_id = ?";

    public static async Task DeleteForUserAsync(NpgsqlConnection connection, string userId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"DELETE FROM {Table} WHERE user_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        await command.ExecuteNonQueryAsync(ct);
    }
}
