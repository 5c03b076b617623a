using CrossLearn.Features.Learning;
using JasperFx.Events;
using Marten.Events.Aggregation;
using Marten.Events.Projections;

namespace CrossLearn.Features.Clusters;

/// <summary>A pattern promoted within one cluster: knowledge the assistants of that cluster's users get. Deleted on demotion.</summary>
public sealed class ClusterKnowledgeItem
{
    public string Id { get; set; } = "";
    public int ClusterId { get; set; }
    public string Type { get; set; } = "";
    public string Key { get; set; } = "";
    public int UserCount { get; set; }
    public int RatedTurns { get; set; }
    public double SuccessRate { get; set; }
    public DateTimeOffset PromotedAt { get; set; }
    /// <summary>The cluster knowledge stream's version at the promotion: what a context names it by.</summary>
    public long PromotedAtVersion { get; set; }

    public string PatternId => Pattern.IdFor(Type, Key);

    public static string IdFor(int clusterId, string type, string key) => $"{clusterId}\u001f{Pattern.IdFor(type, key)}";
}

/// <summary>Inline over the cluster knowledge stream (one writer at a time), one Evolve step per event, as global knowledge's.</summary>
public sealed partial class ClusterKnowledgeProjection : MultiStreamProjection<ClusterKnowledgeItem, string>
{
    public ClusterKnowledgeProjection()
    {
        Identity<ClusterPatternPromoted>(e => ClusterKnowledgeItem.IdFor(e.ClusterId, e.Type, e.Key));
        Identity<ClusterPatternDemoted>(e => ClusterKnowledgeItem.IdFor(e.ClusterId, e.Type, e.Key));
    }

    public static IReadOnlyList<string> IdsOf(object data) => data switch
    {
        ClusterPatternPromoted p => [ClusterKnowledgeItem.IdFor(p.ClusterId, p.Type, p.Key)],
        ClusterPatternDemoted d => [ClusterKnowledgeItem.IdFor(d.ClusterId, d.Type, d.Key)],
        _ => []
    };

    public override ClusterKnowledgeItem? Evolve(ClusterKnowledgeItem? snapshot, string id, IEvent e) => e.Data switch
    {
        ClusterPatternPromoted p => new ClusterKnowledgeItem
        {
            Id = id, ClusterId = p.ClusterId, Type = p.Type, Key = p.Key, UserCount = p.UserCount, RatedTurns = p.RatedTurns,
            SuccessRate = p.SuccessRate, PromotedAt = p.PromotedAt, PromotedAtVersion = e.Version
        },
        ClusterPatternDemoted => null,
        _ => snapshot
    };
}

/// <summary>
/// The cluster knowledge stream's write model: what is promoted in which cluster, and the latest evaluation. The
/// evaluator fetches it for exclusive writing, which locks the stream until it commits: one evaluation at a time.
/// </summary>
public sealed class ClusterKnowledgeLedger
{
    public string Id { get; set; } = ClusterKnowledgeStream.Key;

    /// <summary>The promoted (cluster, pattern) pairs, by <see cref="ClusterKnowledgeItem.IdFor"/>.</summary>
    public Dictionary<string, ClusterPromotion> Promoted { get; set; } = [];

    public ClusterKnowledgeEvaluated? LatestEvaluation { get; set; }
}

public sealed record ClusterPromotion(int ClusterId, string Type, string Key);

public sealed partial class ClusterKnowledgeLedgerProjection : SingleStreamProjection<ClusterKnowledgeLedger, string>
{
    public ClusterKnowledgeLedgerProjection()
    {
        IncludeType<ClusterPatternPromoted>();
        IncludeType<ClusterPatternDemoted>();
        IncludeType<ClusterKnowledgeEvaluated>();
    }

    public override ClusterKnowledgeLedger? Evolve(ClusterKnowledgeLedger? snapshot, string id, IEvent e)
    {
        var ledger = snapshot ?? new ClusterKnowledgeLedger { Id = id };
        switch (e.Data)
        {
            case ClusterPatternPromoted p:
                ledger.Promoted[ClusterKnowledgeItem.IdFor(p.ClusterId, p.Type, p.Key)] = new ClusterPromotion(p.ClusterId, p.Type, p.Key);
                break;
            case ClusterPatternDemoted d:
                ledger.Promoted.Remove(ClusterKnowledgeItem.IdFor(d.ClusterId, d.Type, d.Key));
                break;
            case ClusterKnowledgeEvaluated evaluated:
                ledger.LatestEvaluation = evaluated;
                break;
        }

        return ledger;
    }
}
