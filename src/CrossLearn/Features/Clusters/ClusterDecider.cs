namespace CrossLearn.Features.Clusters;

/// <summary>
/// What a clustering run writes: a <see cref="UserClustered"/> for each user whose cluster id changed (or who was in
/// none), a <see cref="UserUnclustered"/> for each user who was in one and is in none now; nothing for the rest.
/// Pure: the run's outcome, the users' previous clusters and the run's moment decide it.
/// </summary>
public static class ClusterDecider
{
    public sealed record Decision(IReadOnlyDictionary<int, int> Ids, IReadOnlyList<object> Changes, IReadOnlyList<ClusterSize> Sizes);

    public static Decision Decide(ClusteringOutcome outcome, IReadOnlyDictionary<string, int> previous, Guid runId, DateTimeOffset asOf)
    {
        var ids = ClusterIdentities.Match(previous, outcome.Labels);
        var changes = new List<object>();
        foreach (var (user, label) in outcome.Labels.OrderBy(u => u.Key, StringComparer.Ordinal))
            if (!previous.TryGetValue(user, out var before) || before != ids[label])
                changes.Add(new UserClustered(user, runId, ids[label], asOf));
        foreach (var user in previous.Keys.Where(u => !outcome.Labels.ContainsKey(u)).Order(StringComparer.Ordinal))
            changes.Add(new UserUnclustered(user, runId, asOf));
        var sizes = outcome.Labels.GroupBy(l => ids[l.Value]).Select(g => new ClusterSize(g.Key, g.Count())).OrderBy(s => s.ClusterId).ToList();
        return new Decision(ids, changes, sizes);
    }
}
