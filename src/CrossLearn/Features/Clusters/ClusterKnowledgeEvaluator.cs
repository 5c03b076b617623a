using CrossLearn.Platform.Sharding;
using CrossLearn.Features.Learning;
using CrossLearn.Platform.Storage;
using Marten;
using Npgsql;

namespace CrossLearn.Features.Clusters;

/// <summary>
/// Counts every cluster's patterns and applies the promotion rule within each (<see cref="ClusterKnowledgeDecider"/>),
/// appending the decisions to the cluster knowledge stream, locked until they commit: one evaluation at a time, and a
/// second one right after finds nothing to change. Runs after each clustering, on the schedule, and on an admin's request.
/// </summary>
public sealed class ClusterKnowledgeEvaluator(IDocumentStore store, ShardDataSources pools, LearningSettings settings, TimeProvider time)
{
    public async Task<ClusterKnowledgeEvaluated> EvaluateAsync(string requestedBy, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        // Not from memories and memberships a rebuild is refilling (it would demote what is only not back yet).
        await RebuildAnnouncement.WaitUntilNoneRunsAsync(session, ct);
        var ledger = await session.FetchForDecidingAsync<ClusterKnowledgeLedger>(ClusterKnowledgeStream.Key, ct);
        var clusters = (await ClusterPatterns.TotalsAsync(pools, null, ct)).Select(t => t.ClusterId).ToHashSet();
        var figures = await ClusterPatterns.CountAsync(pools, null, settings.PatternMinConfidence, ct);
        var verdicts = settings.PromotionPolicy == PromotionPolicies.Experiment ? await VerdictsAsync(session, pools, clusters, ct) : null;
        var events = ClusterKnowledgeDecider.Decide(clusters, figures, ledger.Aggregate?.Promoted ?? [], settings, verdicts, requestedBy, time.GetUtcNow());
        ledger.AppendMany(events);
        var evaluated = events.OfType<ClusterKnowledgeEvaluated>().Single();
        await session.SaveChangesAsync(ct);
        return evaluated;
    }

    /// <summary>Each pattern's latest concluded experiment, read within each cluster (<see cref="ClusterVerdicts"/>).</summary>
    private static async Task<IReadOnlyDictionary<int, IReadOnlyDictionary<string, string>>> VerdictsAsync(
        IDocumentSession session, ShardDataSources pools, IReadOnlySet<int> clusters, CancellationToken ct)
    {
        var latest = (await session.Query<Experiments.Experiment>().Where(e => e.Status == Experiments.ExperimentStatuses.Concluded).ToListAsync(ct))
            .Where(e => e.Verdict != null).GroupBy(e => e.PatternId).Select(g => g.OrderByDescending(e => e.ConcludedAt).First()).ToList();
        if (latest.Count == 0) return clusters.ToDictionary(c => c, _ => (IReadOnlyDictionary<string, string>)new Dictionary<string, string>());
        var patternOf = latest.ToDictionary(e => e.Id, e => e.PatternId);
        // A user's outcomes and membership lie in their shard database: each database's joined rows, together.
        var outcomes = new List<ClusteredOutcome>();
        foreach (var database in pools.Map.Databases)
        {
            await using var command = pools.Of(database).CreateCommand($"""
                SELECT c.cluster_id, o.experiment_id, o.data->>'Arm', (o.data->>'Rated')::int, (o.data->>'Successes')::int
                FROM {StoreTables.Of<Experiments.ExperimentOutcome>()} o JOIN {StoreTables.Of<ClusterMembership>()} c ON c.id = o.user_id
                WHERE o.experiment_id = ANY($1)
                """);
            command.Parameters.Add(new NpgsqlParameter { Value = patternOf.Keys.ToArray() });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                outcomes.Add(new ClusteredOutcome(reader.GetInt32(0), patternOf[reader.GetGuid(1)],
                    new Experiments.ExperimentOutcome { ExperimentId = reader.GetGuid(1), Arm = reader.GetString(2), Rated = reader.GetInt32(3), Successes = reader.GetInt32(4) }));
        }
        return ClusterVerdicts.Of(clusters, latest.ToDictionary(e => e.PatternId, e => e.Verdict!), outcomes);
    }
}
