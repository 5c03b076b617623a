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
public sealed class ClusterKnowledgeEvaluator(IDocumentStore store, LearningSettings settings, TimeProvider time)
{
    public async Task<ClusterKnowledgeEvaluated> EvaluateAsync(string requestedBy, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        // Not from memories and memberships a rebuild is refilling (it would demote what is only not back yet).
        await RebuildAnnouncement.WaitUntilNoneRunsAsync(session, ct);
        var ledger = await session.FetchForDecidingAsync<ClusterKnowledgeLedger>(ClusterKnowledgeStream.Key, ct);
        var connection = (NpgsqlConnection)session.Connection!;
        var clusters = (await ClusterPatterns.TotalsAsync(connection, null, ct)).Select(t => t.ClusterId).ToHashSet();
        var figures = await ClusterPatterns.CountAsync(connection, null, settings.PatternMinConfidence, ct);
        var verdicts = settings.PromotionPolicy == PromotionPolicies.Experiment
            ? (await session.LoadAsync<KnowledgeBook>(KnowledgeStream.Key, ct))?.Verdicts
            : null;
        var events = ClusterKnowledgeDecider.Decide(clusters, figures, ledger.Aggregate?.Promoted ?? [], settings, verdicts, requestedBy, time.GetUtcNow());
        ledger.AppendMany(events);
        var evaluated = events.OfType<ClusterKnowledgeEvaluated>().Single();
        await session.SaveChangesAsync(ct);
        return evaluated;
    }
}
