using CrossLearn.Features.Learning;

namespace CrossLearn.Features.Clusters;

/// <summary>A pattern's figures within one cluster: its holders there and their rated turns.</summary>
public sealed record ClusterPatternFigures(int ClusterId, Promotion.Figures Figures);

/// <summary>
/// The promotion rule applied inside each cluster (the same thresholds as global knowledge, counted over the cluster's
/// holders), and under the experiment policy the pattern's latest experiment read within the cluster. Pure:
/// the clusters' figures, what is promoted now, the settings and the moment decide it.
/// </summary>
public static class ClusterKnowledgeDecider
{
    public const string ClusterGone = "its cluster is gone";

    /// <param name="clusters">The clusters that have members now: knowledge of any other cluster is demoted.</param>
    /// <param name="verdicts">By cluster, the experiment verdict of each pattern (<see cref="ClusterVerdicts"/>), read under the experiment policy.</param>
    public static IReadOnlyList<object> Decide(
        IReadOnlySet<int> clusters, IReadOnlyList<ClusterPatternFigures> figures, IReadOnlyDictionary<string, ClusterPromotion> promoted,
        LearningSettings settings, IReadOnlyDictionary<int, IReadOnlyDictionary<string, string>>? verdicts, string requestedBy, DateTimeOffset now)
    {
        var events = new List<object>();
        var byCluster = figures.GroupBy(f => f.ClusterId).ToDictionary(g => g.Key, g => g.Select(f => f.Figures).ToList());
        var promotedByCluster = promoted.Values.GroupBy(p => p.ClusterId).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var cluster in clusters.Order())
        {
            var counted = byCluster.GetValueOrDefault(cluster) ?? [];
            var known = promotedByCluster.GetValueOrDefault(cluster) ?? [];
            // Knowledge nobody in the cluster holds any more is judged on empty figures: demoted.
            var countedIds = counted.Select(f => f.Id).ToHashSet();
            var missing = known.Where(k => !countedIds.Contains(Pattern.IdFor(k.Type, k.Key)))
                .Select(k => new Promotion.Figures(k.Type, k.Key, 0, 0, 0));
            var decisions = Promotion.Decide(counted.Concat(missing), known.Select(k => Pattern.IdFor(k.Type, k.Key)).ToHashSet(), settings, now,
                verdicts?.GetValueOrDefault(cluster) ?? new Dictionary<string, string>());
            events.AddRange(decisions.Select(d => d switch
            {
                PatternPromoted p => (object)new ClusterPatternPromoted(cluster, p.Type, p.Key, p.UserCount, p.RatedTurns, p.SuccessRate, now),
                PatternDemoted x => new ClusterPatternDemoted(cluster, x.Type, x.Key, x.UserCount, x.RatedTurns, x.SuccessRate, x.Reason, now),
                _ => throw new InvalidOperationException($"unexpected decision {d.GetType().Name}")
            }));
        }

        foreach (var gone in promoted.Values.Where(p => !clusters.Contains(p.ClusterId)).OrderBy(p => p.ClusterId).ThenBy(p => Pattern.IdFor(p.Type, p.Key), StringComparer.Ordinal))
            events.Add(new ClusterPatternDemoted(gone.ClusterId, gone.Type, gone.Key, 0, 0, null, ClusterGone, now));

        var promotions = events.OfType<ClusterPatternPromoted>().Count();
        var demotions = events.OfType<ClusterPatternDemoted>().Count();
        var patterns = figures.Count(f => clusters.Contains(f.ClusterId) && f.Figures.UserCount >= settings.PatternMinUsers);
        events.Add(new ClusterKnowledgeEvaluated(requestedBy, clusters.Count, patterns, promoted.Count + promotions - demotions, promotions, demotions, now));
        return events;
    }
}
