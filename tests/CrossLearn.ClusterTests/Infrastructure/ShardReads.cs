using System.Diagnostics;
using CrossLearn.Features.Learning;
using CrossLearn.Platform.Storage;
using Npgsql;

namespace CrossLearn.ClusterTests.Infrastructure;

/// <summary>What the tests read straight from a server's tables, as the superuser.</summary>
public static class ShardReads
{
    public static async Task<long> ScalarAsync(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters) command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L);
    }

    public static async Task<List<object?[]>> RowsAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i)).ToArray());
        return rows;
    }

    /// <summary>Waits until the shard's async projections (the patterns, the live feed) have applied every event stored.</summary>
    public static async Task WaitForProjectionsAsync(string shard, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var newest = await ScalarAsync(shard, $"SELECT coalesce(max(seq_id), 0) FROM {StoreTables.Events}");
            var slowest = await ScalarAsync(shard, $"""
                SELECT min(coalesce(p.last_seq_id, 0))
                FROM (VALUES ('{PatternProjection.Name}:All'), ('{Features.Live.LiveFeedSubscription.SubscriptionName}:All')) AS shard(name)
                LEFT JOIN {EventStore.Schema}.mt_event_progression p ON p.name = shard.name
                """);
            if (slowest >= newest) return;
            if (watch.Elapsed > limit)
            {
                var progress = await RowsAsync(shard, $"SELECT name, last_seq_id FROM {EventStore.Schema}.mt_event_progression ORDER BY name");
                throw new TimeoutException($"Async projections at {slowest}, events at {newest} after {limit.TotalSeconds} s in " +
                                           $"{new NpgsqlConnectionStringBuilder(shard).Port}: [{string.Join("; ", progress.Select(r => string.Join(" ", r)))}]");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>How many times each turn was recorded (its TurnRecorded events) in a shard.</summary>
    public static async Task<Dictionary<Guid, int>> TurnEventCountsAsync(string shard) =>
        (await RowsAsync(shard, $"SELECT coalesce(data->>'turnId', data->>'TurnId'), count(*) FROM {StoreTables.Events} WHERE type = 'turn_recorded' GROUP BY 1"))
        .ToDictionary(r => Guid.Parse((string)r[0]!), r => Convert.ToInt32(r[1]));

    /// <summary>How many ratings each turn has (its FeedbackGiven events) in a shard.</summary>
    public static async Task<Dictionary<Guid, int>> RatingEventCountsAsync(string shard) =>
        (await RowsAsync(shard, $"SELECT coalesce(data->>'turnId', data->>'TurnId'), count(*) FROM {StoreTables.Events} WHERE type = 'feedback_given' GROUP BY 1"))
        .ToDictionary(r => Guid.Parse((string)r[0]!), r => Convert.ToInt32(r[1]));

    /// <summary>Each shard's pattern figures (type, key, holders, rated, successful) summed over the shards: what the global store must hold.</summary>
    public static async Task<HashSet<string>> SummedShardPatternsAsync(IEnumerable<string> shards)
    {
        var sums = new Dictionary<(string, string), (long Holders, long Rated, long Successful)>();
        foreach (var shard in shards)
            foreach (var row in await RowsAsync(shard, $"""
                         SELECT data->>'Type', data->>'Key', user_count, (data->>'RatedTurns')::int, (data->>'SuccessfulTurns')::int
                         FROM {StoreTables.Of<Pattern>()}
                         """))
            {
                var key = ((string)row[0]!, (string)row[1]!);
                var (holders, rated, successful) = sums.GetValueOrDefault(key);
                sums[key] = (holders + Convert.ToInt64(row[2]), rated + Convert.ToInt64(row[3]), successful + Convert.ToInt64(row[4]));
            }

        return sums.Where(s => s.Value.Holders > 0).Select(s => $"{s.Key.Item1}|{s.Key.Item2}|{s.Value.Holders}|{s.Value.Rated}|{s.Value.Successful}").ToHashSet();
    }

    /// <summary>The global store's figures of every pattern someone holds, in the form of <see cref="SummedShardPatternsAsync"/>.</summary>
    public static async Task<HashSet<string>> GlobalPatternsAsync(string global) =>
        (await RowsAsync(global, $"""
            SELECT data->>'Type', data->>'Key', holders, (data->>'RatedTurns')::int, (data->>'SuccessfulTurns')::int
            FROM {GlobalStore.Schema}.mt_doc_globalpatternfigures WHERE holders > 0
            """))
        .Select(r => string.Join("|", r)).ToHashSet();

    /// <summary>Waits until the global store holds exactly the shards' summed figures; returns how long that took.</summary>
    public static async Task<TimeSpan> GlobalFiguresEqualTheShardsAsync(string global, IReadOnlyList<string> shards, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var summed = await SummedShardPatternsAsync(shards);
            var held = await GlobalPatternsAsync(global);
            if (summed.Count > 0 && summed.SetEquals(held)) return watch.Elapsed;
            if (watch.Elapsed > limit)
                throw new TimeoutException($"After {limit.TotalSeconds} s the global figures differ from the shards' sums: only in the shards " +
                                           $"[{string.Join("; ", summed.Except(held).Take(5))}], only in the global store [{string.Join("; ", held.Except(summed).Take(5))}]");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// The seed's query (patterns: 2+ holders at confidence 0.7+, no personal info) with the holders' summed ratings, run
    /// over a plain copy of both shards' memories and profiles in one table each.
    /// </summary>
    public static async Task<List<(string Key, string Type, int Users, int Rated, int Successful)>> ReferenceOverTheUnionAsync(string[] shards)
    {
        await using var connection = new NpgsqlConnection(shards[0]);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand("""
            CREATE TEMP TABLE memories (user_id text, type text, key text, confidence float8);
            CREATE TEMP TABLE ratings (user_id text, rated int, successful int);
            """, connection))
            await create.ExecuteNonQueryAsync();
        foreach (var shard in shards)
        {
            var memories = await RowsAsync(shard, $"SELECT user_id, type, key, confidence FROM {StoreTables.Of<Features.Memories.Memory>()}");
            await using (var copy = new NpgsqlCommand("INSERT INTO memories SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[])", connection))
            {
                foreach (var column in Enumerable.Range(0, 4))
                    copy.Parameters.Add(new NpgsqlParameter { Value = column == 3 ? memories.Select(r => Convert.ToDouble(r[3])).ToArray() : memories.Select(r => (string)r[column]!).ToArray() });
                await copy.ExecuteNonQueryAsync();
            }

            var profiles = await RowsAsync(shard, $"SELECT id, rated_turns, successful_turns FROM {StoreTables.Of<Features.Profile.UserProfile>()}");
            await using (var copy = new NpgsqlCommand("INSERT INTO ratings SELECT * FROM unnest($1::text[], $2::int[], $3::int[])", connection))
            {
                copy.Parameters.Add(new NpgsqlParameter { Value = profiles.Select(r => (string)r[0]!).ToArray() });
                copy.Parameters.Add(new NpgsqlParameter { Value = profiles.Select(r => Convert.ToInt32(r[1])).ToArray() });
                copy.Parameters.Add(new NpgsqlParameter { Value = profiles.Select(r => Convert.ToInt32(r[2])).ToArray() });
                await copy.ExecuteNonQueryAsync();
            }
        }

        await using var query = new NpgsqlCommand("""
            WITH patterns AS (
              SELECT key, type, COUNT(DISTINCT user_id) AS users FROM memories
              WHERE confidence >= 0.7 AND type <> 'personal_info' GROUP BY key, type HAVING COUNT(DISTINCT user_id) >= 2)
            SELECT p.key, p.type, p.users::int, coalesce(sum(r.rated), 0)::int, coalesce(sum(r.successful), 0)::int
            FROM patterns p
            JOIN memories m ON m.key = p.key AND m.type = p.type AND m.confidence >= 0.7
            LEFT JOIN ratings r ON r.user_id = m.user_id
            GROUP BY p.key, p.type, p.users
            """, connection);
        await using var reader = await query.ExecuteReaderAsync();
        var rows = new List<(string, string, int, int, int)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4)));
        return rows.OrderBy(r => r.Item1, StringComparer.Ordinal).ThenBy(r => r.Item2, StringComparer.Ordinal).ToList();
    }
}
