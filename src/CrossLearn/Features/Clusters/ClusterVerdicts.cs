using CrossLearn.Features.Experiments;

namespace CrossLearn.Features.Clusters;

/// <summary>One user's part in an experiment, with the cluster they are in.</summary>
public sealed record ClusteredOutcome(int ClusterId, string PatternId, ExperimentOutcome Outcome);

/// <summary>
/// The verdicts cluster knowledge is judged on under the experiment policy: each concluded experiment read again within
/// each cluster. Its arms were drawn at random for every user, so the users of one cluster are a randomised experiment
/// of their own (a stratum): treatment against control among them says what the pattern does for that cluster, which
/// can differ from what it does for everyone. Where a cluster's part gives no interval (fewer than two users an arm),
/// the experiment's overall verdict stands. Pure.
/// </summary>
public static class ClusterVerdicts
{
    /// <param name="overall">The verdict of each pattern's latest concluded experiment, by pattern id.</param>
    /// <param name="outcomes">The outcomes of those experiments, each with its user's cluster.</param>
    /// <returns>For each cluster in <paramref name="clusters"/>, the verdict of each pattern tested.</returns>
    public static IReadOnlyDictionary<int, IReadOnlyDictionary<string, string>> Of(
        IReadOnlySet<int> clusters, IReadOnlyDictionary<string, string> overall, IEnumerable<ClusteredOutcome> outcomes)
    {
        var within = outcomes.GroupBy(o => (o.ClusterId, o.PatternId))
            .Select(g => (g.Key, Comparison: ExperimentDecider.Compare(g.Select(o => o.Outcome))))
            .Where(g => g.Comparison.Low != null)
            .ToDictionary(g => g.Key, g => ExperimentVerdicts.Of(g.Comparison));
        return clusters.ToDictionary(c => c, c => (IReadOnlyDictionary<string, string>)overall.ToDictionary(
            v => v.Key, v => within.GetValueOrDefault((c, v.Key)) ?? v.Value));
    }
}
