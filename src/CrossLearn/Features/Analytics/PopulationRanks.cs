using CrossLearn.Features.Profile;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CrossLearn.Features.Analytics;

/// <summary>The <c>Analytics</c> section.</summary>
public sealed class AnalyticsSettings
{
    public const string Section = "Analytics";

    /// <summary>How old the population distribution behind percentiles may be; 0 recomputes it on every request.</summary>
    public double DistributionMaxAgeSeconds { get; set; } = 5;
}

/// <summary>
/// Every user's three figures, sorted, recomputed by PostgreSQL at most every few seconds (one indexed-column
/// read), so a percentile is a binary search instead of counting rows per request. <c>calculatedAt</c> in the
/// answer is when this distribution was read. The population is every shard database's users, read one database
/// after the other.
/// </summary>
public sealed class PopulationRanks(Platform.Sharding.ShardDataSources pools, TimeProvider time, IOptionsMonitor<AnalyticsSettings> settings)
{
    /// <param name="RatedTurns">Every user's rated turns summed, and <paramref name="SuccessfulTurns"/> the successful ones: the global success rate.</param>
    public sealed record Distribution(
        int[] MemoryCounts, int[] InteractionCounts, double[] SuccessRates, DateTimeOffset CalculatedAt, long RatedTurns = 0, long SuccessfulTurns = 0)
    {
        public int Population => MemoryCounts.Length;

        /// <summary>The same for the users of each cluster (clusters of similar users, issue #16), by cluster id.</summary>
        public IReadOnlyDictionary<int, Distribution> Clusters { get; init; } = new Dictionary<int, Distribution>();

        /// <summary>How many values in <paramref name="sorted"/> are strictly lower than <paramref name="value"/>.</summary>
        public static int Below<T>(T[] sorted, T value) where T : IComparable<T>
        {
            int low = 0, high = sorted.Length;
            while (low < high)
            {
                var middle = (low + high) / 2;
                if (sorted[middle].CompareTo(value) < 0) low = middle + 1; else high = middle;
            }

            return low;
        }
    }

    private readonly SemaphoreSlim _refresh = new(1, 1);
    private Distribution? _current;

    public async Task<Distribution> CurrentAsync(CancellationToken ct)
    {
        var maxAge = TimeSpan.FromSeconds(settings.CurrentValue.DistributionMaxAgeSeconds);
        if (_current is { } fresh && time.GetUtcNow() - fresh.CalculatedAt < maxAge) return fresh;

        // Stale but present: answer from it and let one background read replace it, so no request pays for the read.
        if (_current is { } stale && maxAge > TimeSpan.Zero)
        {
            if (_refresh.Wait(0))
                _ = Task.Run(async () =>
                {
                    try { _current = await ReadAsync(CancellationToken.None); }
                    catch (Exception e) when (e is NpgsqlException or TimeoutException) { /* the next request tries again */ }
                    finally { _refresh.Release(); }
                }, CancellationToken.None);
            return stale;
        }

        await _refresh.WaitAsync(ct);
        try
        {
            if (_current is { } other && time.GetUtcNow() - other.CalculatedAt < maxAge && maxAge > TimeSpan.Zero) return other;
            return _current = await ReadAsync(ct);
        }
        finally
        {
            _refresh.Release();
        }
    }

    private async Task<Distribution> ReadAsync(CancellationToken ct)
    {
        var calculatedAt = time.GetUtcNow();
        var all = new Gathering();
        var clusters = new Dictionary<int, Gathering>();
        foreach (var database in pools.Map.Databases)
            await GatherAsync(pools.Of(database), all, clusters, ct);
        return all.Sorted(calculatedAt) with { Clusters = clusters.ToDictionary(c => c.Key, c => c.Value.Sorted(calculatedAt)) };
    }

    /// <summary>One database's users (a user and their cluster membership lie in one database).</summary>
    private static async Task GatherAsync(NpgsqlDataSource database, Gathering all, Dictionary<int, Gathering> clusters, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"""
            SELECT p.memory_count, p.interaction_count, p.success_rate, p.rated_turns, p.successful_turns, c.cluster_id
            FROM {StoreTables.Of<UserProfile>()} p LEFT JOIN {StoreTables.Of<Clusters.ClusterMembership>()} c ON c.id = p.id
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var (memories, interactions, rate) = (reader.GetInt32(0), reader.GetInt32(1), reader.IsDBNull(2) ? (double?)null : reader.GetDouble(2));
            var (rated, successful) = (reader.GetInt32(3), reader.GetInt32(4));
            all.Add(memories, interactions, rate, rated, successful);
            if (reader.IsDBNull(5)) continue;
            var cluster = reader.GetInt32(5);
            if (!clusters.TryGetValue(cluster, out var members)) clusters[cluster] = members = new Gathering();
            members.Add(memories, interactions, rate, rated, successful);
        }
    }

    private sealed class Gathering
    {
        private readonly List<int> _memories = [], _interactions = [];
        private readonly List<double> _rates = [];
        private long _rated, _successful;

        public void Add(int memories, int interactions, double? rate, int rated, int successful)
        {
            _memories.Add(memories);
            _interactions.Add(interactions);
            if (rate is { } r) _rates.Add(r);
            (_rated, _successful) = (_rated + rated, _successful + successful);
        }

        public Distribution Sorted(DateTimeOffset calculatedAt)
        {
            int[] m = [.. _memories], i = [.. _interactions];
            double[] r = [.. _rates];
            Array.Sort(m);
            Array.Sort(i);
            Array.Sort(r);
            return new Distribution(m, i, r, calculatedAt, _rated, _successful);
        }
    }
}
