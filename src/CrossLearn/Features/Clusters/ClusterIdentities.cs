namespace CrossLearn.Features.Clusters;

/// <summary>
/// Keeps cluster identities stable from run to run: each new cluster takes the id of the previous cluster it shares
/// most users with, largest overlaps first, one to one; a cluster that overlaps none (or whose best match was taken)
/// gets a new id. So a user whose group did not change keeps their label even when k-means numbers groups anew.
/// </summary>
public static class ClusterIdentities
{
    /// <param name="previous">Each user's cluster id in the previous run (users absent: not clustered then).</param>
    /// <param name="labels">Each user's cluster in this run, as the algorithm numbered it.</param>
    /// <returns>This run's label to cluster id.</returns>
    public static IReadOnlyDictionary<int, int> Match(IReadOnlyDictionary<string, int> previous, IReadOnlyDictionary<string, int> labels)
    {
        var overlaps = new Dictionary<(int Label, int Id), int>();
        foreach (var (user, label) in labels)
            if (previous.TryGetValue(user, out var id))
                overlaps[(label, id)] = overlaps.GetValueOrDefault((label, id)) + 1;

        var matched = new Dictionary<int, int>();
        var taken = new HashSet<int>();
        foreach (var ((label, id), _) in overlaps.OrderByDescending(o => o.Value).ThenBy(o => o.Key.Label).ThenBy(o => o.Key.Id))
            if (!matched.ContainsKey(label) && taken.Add(id)) matched[label] = id;

        var next = previous.Values.Concat(matched.Values).DefaultIfEmpty(0).Max() + 1;
        foreach (var label in labels.Values.Distinct().Order())
            if (!matched.ContainsKey(label)) matched[label] = next++;
        return matched;
    }
}
