using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Npgsql;

namespace CrossLearn.ReliabilityTests.Infrastructure;

/// <summary>Reads the service's database directly (events, documents, daemon progress): the ground truth.</summary>
public static class Storage
{
    private const string S = EventStore.Schema;

    /// <summary>Read-model tables compared before and after a rebuild.</summary>
    public static readonly string[] ReadModelTables =
    [
        "mt_doc_memory", "mt_doc_userprofile", "mt_doc_turn", "mt_doc_conversation", "mt_doc_pattern", "mt_doc_patternholder", "mt_doc_knowledgeitem"
    ];

    public static async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(await ReliabilityDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        return connection;
    }

    public static async Task<long> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? 0 : Convert.ToInt64(result);
    }

    public static Task<long> NewestEventAsync() => ScalarAsync($"SELECT coalesce(max(seq_id), 0) FROM {S}.mt_events");

    /// <summary>The slowest async projection's position (the HighWater* rows are the daemon's own; no row yet is 0).</summary>
    /// <summary>
    /// The position of the async projection furthest behind. A shard that has not written its progress yet (on a fresh
    /// database, until its first page) counts as 0: min() over the rows alone skipped it, and a wait returned early.
    /// </summary>
    public static Task<long> SlowestProjectionAsync() =>
        ScalarAsync($"""
            SELECT min(coalesce(p.last_seq_id, 0))
            FROM (VALUES ('{CrossLearn.Features.Learning.PatternProjection.Name}:All'), ('{CrossLearn.Features.Live.LiveFeedSubscription.SubscriptionName}:All')) AS shard(name)
            LEFT JOIN {S}.mt_event_progression p ON p.name = shard.name
            """);

    /// <summary>Waits until every async projection has applied every stored event; returns how long that took.</summary>
    public static async Task<TimeSpan> WaitForProjectionsAsync(TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        var newest = await NewestEventAsync();
        while (await SlowestProjectionAsync() < newest)
        {
            if (watch.Elapsed > limit)
                throw new TimeoutException($"Async projections at {await SlowestProjectionAsync()}, events at {newest} after {limit.TotalSeconds} s");
            await Task.Delay(50);
            newest = await NewestEventAsync();
        }

        return watch.Elapsed;
    }

    /// <summary>Tables, anywhere in the database outside PostgreSQL's catalogs, with a row whose text contains <paramref name="needle"/>.</summary>
    public static async Task<List<string>> TablesContainingAsync(string needle)
    {
        await using var connection = await OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("""
            SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables
            WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
            """, connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));

        var hits = new List<string>();
        foreach (var table in tables)
        {
            await using var scan = new NpgsqlCommand($"SELECT count(*) FROM {table} t WHERE strpos(t::text, @needle) > 0", connection);
            scan.Parameters.AddWithValue("needle", needle);
            if ((long)(await scan.ExecuteScalarAsync())! > 0) hits.Add(table);
        }

        return hits;
    }

    /// <summary>Erasure markers not yet completed (each still names its user).</summary>
    public static Task<long> PendingErasuresAsync() => ScalarAsync($"SELECT count(*) FROM {S}.mt_events WHERE type = 'user_erasure_started'");

    /// <summary>How many TurnRecorded events each turn id has.</summary>
    public static async Task<Dictionary<Guid, int>> TurnEventCountsAsync()
    {
        var counts = new Dictionary<Guid, int>();
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT data FROM {S}.mt_events WHERE type = 'turn_recorded'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var id = Guid.Parse(Property(JsonNode.Parse(reader.GetString(0))!, "turnId")!.GetValue<string>());
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }

        return counts;
    }

    /// <summary>How many FeedbackGiven events each turn id has.</summary>
    public static async Task<Dictionary<Guid, int>> FeedbackEventCountsAsync()
    {
        var counts = new Dictionary<Guid, int>();
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT data FROM {S}.mt_events WHERE type = 'feedback_given'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var id = Guid.Parse(Property(JsonNode.Parse(reader.GetString(0))!, "turnId")!.GetValue<string>());
            counts[id] = counts.GetValueOrDefault(id) + 1;
        }

        return counts;
    }

    public sealed record StoredTurn(Guid Id, string UserId, string UserMessage, string AiResponse, string ConversationId, bool? Success);

    /// <summary>The Turn documents.</summary>
    public static async Task<Dictionary<Guid, StoredTurn>> TurnsAsync(string? userPrefix = null)
    {
        var turns = new Dictionary<Guid, StoredTurn>();
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT data FROM {S}.mt_doc_turn WHERE @prefix IS NULL OR starts_with(user_id, @prefix)", connection);
        command.Parameters.Add(new NpgsqlParameter("prefix", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)userPrefix ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var turn = JsonSerializer.Deserialize<StoredTurn>(reader.GetString(0), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;
            turns[turn.Id] = turn;
        }

        return turns;
    }

    /// <summary>
    /// Every read model as stable text. Left out, as in the integration tests: a pattern's ChangedAtSequence (the
    /// promotion watcher's cursor) and a holder's AppliedSequence (the replay guard); a holder's pattern set is
    /// sorted.
    /// </summary>
    public static async Task<Dictionary<string, Dictionary<string, string>>> SnapshotAsync()
    {
        var snapshot = new Dictionary<string, Dictionary<string, string>>();
        await using var connection = await OpenAsync();
        foreach (var table in ReadModelTables)
        {
            var rows = new Dictionary<string, string>(StringComparer.Ordinal);
            await using var command = new NpgsqlCommand($"SELECT id::text, data::text FROM {S}.{table}", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) rows[reader.GetString(0)] = Normalise(table, reader.GetString(1));
            snapshot[table] = rows;
        }

        return snapshot;
    }

    private static string Normalise(string table, string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        if (table == "mt_doc_pattern") Remove(node, "changedAtSequence");
        if (table == "mt_doc_patternholder")
        {
            Remove(node, "appliedSequence");
            var name = node.Select(p => p.Key).First(k => k.Equals("patterns", StringComparison.OrdinalIgnoreCase));
            var sorted = node[name]!.AsArray().Select(p => p!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
            node[name] = new JsonArray(sorted.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray());
        }

        return node.ToJsonString();
    }

    private static void Remove(JsonObject node, string property)
    {
        foreach (var key in node.Select(p => p.Key).Where(k => k.Equals(property, StringComparison.OrdinalIgnoreCase)).ToList())
            node.Remove(key);
    }

    public static JsonNode? Property(JsonNode node, string name) =>
        node.AsObject().FirstOrDefault(p => p.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;

    /// <summary>The first difference between two snapshots (by table and id), or null.</summary>
    public static string? Difference(Dictionary<string, Dictionary<string, string>> before, Dictionary<string, Dictionary<string, string>> after)
    {
        foreach (var table in ReadModelTables)
        {
            var (a, b) = (before[table], after[table]);
            foreach (var id in a.Keys.Union(b.Keys).Order(StringComparer.Ordinal))
            {
                var (x, y) = (a.GetValueOrDefault(id), b.GetValueOrDefault(id));
                if (x != y) return $"{table} ({a.Count} rows before the rebuild, {b.Count} after) {id}:\n  before  {x ?? "(none)"}\n  rebuilt {y ?? "(none)"}";
            }
        }

        return null;
    }
}
