using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Profile;
using CrossLearn.Platform.Storage;
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
    /// <summary>Every cluster's members and rated turns.</summary>
    public static async Task<IReadOnlyList<ClusterTotals>> TotalsAsync(NpgsqlConnection connection, int? clusterId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT c.cluster_id, count(*)::int, coalesce(sum(p.rated_turns), 0)::bigint, coalesce(sum(p.successful_turns), 0)::bigint
            FROM {StoreTables.Of<ClusterMembership>()} c LEFT JOIN {StoreTables.Of<UserProfile>()} p ON p.id = c.id
            WHERE $1::int IS NULL OR c.cluster_id = $1 GROUP BY c.cluster_id ORDER BY c.cluster_id
            """, connection) { Parameters = { new() { Value = (object?)clusterId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer } } };
        var totals = new List<ClusterTotals>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            totals.Add(new ClusterTotals(reader.GetInt32(0), reader.GetInt32(1), new Evidence(reader.GetInt64(2), reader.GetInt64(3))));
        return totals;
    }

    /// <summary>The patterns of every cluster (or of <paramref name="clusterId"/>) held by 2 or more of its members.</summary>
    public static async Task<IReadOnlyList<ClusterPatternFigures>> CountAsync(NpgsqlConnection connection, int? clusterId, double minConfidence, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT c.cluster_id, m.type, m.key, count(*)::int, coalesce(sum(p.rated_turns), 0)::int, coalesce(sum(p.successful_turns), 0)::int
            FROM {StoreTables.Of<Memory>()} m JOIN {StoreTables.Of<ClusterMembership>()} c ON c.id = m.user_id
            LEFT JOIN {StoreTables.Of<UserProfile>()} p ON p.id = m.user_id
            WHERE ($1::int IS NULL OR c.cluster_id = $1) AND m.confidence >= $2 AND m.type <> $3
            GROUP BY c.cluster_id, m.type, m.key HAVING count(*) >= 2
            """, connection)
        {
            Parameters =
            {
                new() { Value = (object?)clusterId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer },
                new() { Value = minConfidence }, new() { Value = MemoryTypes.PersonalInfo }
            }
        };
        var figures = new List<ClusterPatternFigures>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            figures.Add(new ClusterPatternFigures(reader.GetInt32(0),
                new Promotion.Figures(reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetInt32(5))));
        return figures;
    }
}
