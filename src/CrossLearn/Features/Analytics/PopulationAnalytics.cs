using CrossLearn.Features.Profile;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Npgsql;

namespace CrossLearn.Features.Analytics;

public sealed record Bucket(string Label, int Users);

public sealed record Distribution(double P10, double P25, double P50, double P75, double P90, double P99, double Mean, IReadOnlyList<Bucket> Buckets);

public sealed record PopulationView(
    int Population, int RatedPopulation, long Interactions, long Memories, long RatedTurns,
    Distribution MemoryCount, Distribution InteractionCount, Distribution? SuccessRate, DateTimeOffset CalculatedAt);

/// <summary>Figures across all users for admins: distributions only, never a user id or a message.</summary>
public static class PopulationAnalytics
{
    private static readonly (string Label, double From, double To)[] CountBuckets =
        [("0", 0, 0), ("1", 1, 1), ("2-5", 2, 5), ("6-10", 6, 10), ("11-20", 11, 20), ("21-50", 21, 50), ("51-100", 51, 100), ("101+", 101, double.MaxValue)];

    private static readonly (string Label, double From, double To)[] RateBuckets =
        Enumerable.Range(0, 10).Select(i => ($"{i * 10}-{(i + 1) * 10}%", i / 10.0, i == 9 ? 1.0 : (i + 1) / 10.0 - 1e-9)).ToArray();

    public static async Task<PopulationView> CalculateAsync(NpgsqlDataSource database, TimeProvider time, CancellationToken ct)
    {
        int population, rated;
        long interactions, memories, ratedTurns;
        // Disposed exactly once, at the end of this block. Npgsql reuses one reader object per pooled connection: a
        // second dispose after the connection went back to the pool closed another request's reader on it (the
        // "command already in progress" / protocol errors of concurrent per-user reads, docs/reliability.md).
        await using (var totals = database.CreateCommand($"""
            SELECT count(*)::int, count(success_rate)::int, coalesce(sum(interaction_count), 0)::bigint,
                   coalesce(sum(memory_count), 0)::bigint, coalesce(sum(rated_turns), 0)::bigint
            FROM {StoreTables.Of<UserProfile>()}
            """))
        await using (var reader = await totals.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            (population, rated, interactions, memories, ratedTurns) =
                (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
        }

        return new PopulationView(population, rated, interactions, memories, ratedTurns,
            await DistributionAsync(database, "memory_count", CountBuckets, ct),
            await DistributionAsync(database, "interaction_count", CountBuckets, ct),
            rated == 0 ? null : await DistributionAsync(database, "success_rate", RateBuckets, ct),
            time.GetUtcNow());
    }

    private static async Task<Distribution> DistributionAsync(
        NpgsqlDataSource database, string column, (string Label, double From, double To)[] buckets, CancellationToken ct)
    {
        var bucketCounts = string.Join(", ", buckets.Select((b, i) =>
            $"count(*) FILTER (WHERE {column} >= @from{i} AND {column} <= @to{i})::int"));
        await using var command = database.CreateCommand($"""
            SELECT coalesce(percentile_cont(ARRAY[0.1, 0.25, 0.5, 0.75, 0.9, 0.99]) WITHIN GROUP (ORDER BY {column}), ARRAY[0,0,0,0,0,0]::float8[]),
                   coalesce(avg({column}), 0)::float8, {bucketCounts}
            FROM {StoreTables.Of<UserProfile>()} WHERE {column} IS NOT NULL
            """);
        for (var i = 0; i < buckets.Length; i++)
        {
            command.Parameters.AddWithValue($"from{i}", buckets[i].From);
            command.Parameters.AddWithValue($"to{i}", buckets[i].To);
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var p = reader.GetFieldValue<double[]>(0).Select(v => Math.Round(v, 4)).ToArray();
        return new Distribution(p[0], p[1], p[2], p[3], p[4], p[5], Math.Round(reader.GetDouble(1), 4),
            buckets.Select((b, i) => new Bucket(b.Label, reader.GetInt32(2 + i))).ToList());
    }
}
