using CrossLearn.Features.Memories;
using CrossLearn.Platform.Storage;

namespace CrossLearn.Features.Clusters;

// Appended to the cluster knowledge stream (ClusterKnowledgeStream.Key), one writer at a time: the promotion rule applied
// within each cluster. Figures only (holders, rated turns, success rate of the cluster's holders), never a user id.

/// <summary>Within cluster <paramref name="ClusterId"/>, a pattern qualified as knowledge; the figures are those it qualified with.</summary>
public sealed record ClusterPatternPromoted(
    int ClusterId, string Type, string Key, int UserCount, int RatedTurns, double SuccessRate, DateTimeOffset PromotedAt) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) => MemoryShapes.Slot(Type, Key);
}

/// <summary>Cluster knowledge fell below the demotion thresholds within its cluster, or its cluster is gone.</summary>
public sealed record ClusterPatternDemoted(
    int ClusterId, string Type, string Key, int UserCount, int RatedTurns, double? SuccessRate, string Reason, DateTimeOffset DemotedAt) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) => MemoryShapes.Slot(Type, Key);
}

/// <summary>
/// The clusters' patterns were counted and judged as of <paramref name="AsOf"/>: how many clusters, cluster patterns
/// (2+ holders in a cluster) and cluster knowledge there were afterwards, what changed, and who asked.
/// </summary>
public sealed record ClusterKnowledgeEvaluated(
    string RequestedBy, int Clusters, int Patterns, int Knowledge, int Promoted, int Demoted, DateTimeOffset AsOf) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) => RequestedBy == null ? "no requester" : null;
}

public static class ClusterKnowledgeStream
{
    /// <summary>Reserved prefix: no user stream can take this key.</summary>
    public const string Key = Platform.Http.UserIds.ReservedPrefix + "cluster-knowledge";
}
