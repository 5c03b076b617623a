using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Profile;
using CrossLearn.Platform.Storage;
using CrossLearn.Platform.Sharding;
using Npgsql;

namespace CrossLearn.Features.Clusters;

/// <summary>A cluster's members and their rated turns.</summary>
public sealed record ClusterTotals(int ClusterId, int Members, Evidence Turns);

/// <summary>
/// Cluster patterns: what the members of a cluster hold (non-personal memories at the pattern threshold's confidence,
/// as global patterns count them), held by 2 or more of them, with those holders' rated turns. Counted from the
/// memories and memberships when asked (a GROUP BY over the cluster's members), not kept as documents: a clustering
/// run moves many users at once, and the counts follow it without a projection of their own.
/// </summary>
public static class ClusterPatterns
{
    /// <summary>Every cluster's members and rated turns, over every shard database (a user and their membership lie in one).</summary>
    public static async Task<IReadOnlyList<ClusterTotals>> TotalsAsync(ShardDataSources pools, int? clusterId, CancellationToken ct)
    {
        var sums = new SortedDictionary<int, (int Members, long Rated, long Successes)>();
        foreach (var database in pools.Map.Databases)
        {
            await using var command = pools.Of(database).CreateCommand($"""
                SELECT c.cluster_id, count(*)::int, coalesce(sum(p.rated_turns), 0)::bigint, coalesce(sum(p.successful_turns), 0)::bigint
                FROM {StoreTables.Of<ClusterMembership>()} c LEFT JOIN {StoreTables.Of<UserProfile>()} p ON p.id = c.id
                WHERE $1::int IS NULL OR c.cluster_id = $1 GROUP BY c.cluster_id
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)clusterId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var (members, rated, successes) = sums.GetValueOrDefault(reader.GetInt32(0));
                sums[reader.GetInt32(0)] = (members + reader.GetInt32(1), rated + reader.GetInt64(2), successes + reader.GetInt64(3));
            }
        }

        return sums.Select(s => new ClusterTotals(s.Key, s.Value.Members, new Evidence(s.Value.Rated, s.Value.Successes))).ToList();
    }

    /// <summary>
    /// The patterns of every cluster (or of <paramref name="clusterId"/>) held by 2 or more of its members over every shard
    /// database. One database leaves out what fewer than 2 hold; in a pool each database's counts, however small, are
    /// added up first.
    /// </summary>
    public static async Task<IReadOnlyList<ClusterPatternFigures>> CountAsync(ShardDataSources pools, int? clusterId, double minConfidence, CancellationToken ct)
    {
        var sums = new Dictionary<(int Cluster, string Type, string Key), (int Holders, int Rated, int Successful)>();
        var keptInEach = pools.Map.Databases.Count == 1 ? MinHolders : 1;
        foreach (var database in pools.Map.Databases)
        {
            await using var command = pools.Of(database).CreateCommand($"""
                SELECT c.cluster_id, m.type, m.key, count(*)::int, coalesce(sum(p.rated_turns), 0)::int, coalesce(sum(p.successful_turns), 0)::int
                FROM {StoreTables.Of<Memory>()} m JOIN {StoreTables.Of<ClusterMembership>()} c ON c.id = m.user_id
                LEFT JOIN {StoreTables.Of<UserProfile>()} p ON p.id = m.user_id
                WHERE ($1::int IS NULL OR c.cluster_id = $1) AND m.confidence >= $2 AND m.type <> $3
                GROUP BY c.cluster_id, m.type, m.key HAVING count(*) >= $4
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)clusterId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter { Value = minConfidence });
            command.Parameters.Add(new NpgsqlParameter { Value = MemoryTypes.PersonalInfo });
            command.Parameters.Add(new NpgsqlParameter { Value = keptInEach });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var key = (reader.GetInt32(0), reader.GetString(1), reader.GetString(2));
                var (holders, rated, successful) = sums.GetValueOrDefault(key);
                sums[key] = (holders + reader.GetInt32(3), rated + reader.GetInt32(4), successful + reader.GetInt32(5));
            }
        }

        return sums.Where(s => s.Value.Holders >= MinHolders)
            .Select(s => new ClusterPatternFigures(s.Key.Cluster, new Promotion.Figures(s.Key.Type, s.Key.Key, s.Value.Holders, s.Value.Rated, s.Value.Successful)))
            .ToList();
    }

    private const int MinHolders = 2;
}
