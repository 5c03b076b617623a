using System.Diagnostics;
using CrossLearn.Features.Clusters;
using CrossLearn.Features.Memories;

namespace CrossLearn.Benchmarks;

/// <summary>
/// A clustering run alone (issue #16), in this process: users with planted groups, clustered with the number of
/// clusters chosen and several seedings (<see cref="Clustering"/>), against the same call told the number and seeded
/// once (the library's k-means alone, with the same vectors). Prints the adjusted Rand index against the planted groups.
/// </summary>
public static class ClusteringSpeed
{
    public static void Measure(List<Row> rows, Options options)
    {
        var users = options.Size(100_000, 10_000);
        const int groups = 8;
        var (tokens, planted) = Population(users, groups, seed: 5);
        var parameters = new ClusteringParameters();
        Log.Phase($"Clustering {users:N0} users ({groups} planted groups), k tried {parameters.MinClusters}-{parameters.MaxClusters} on {parameters.SelectionSample:N0}, {parameters.Restarts} seedings");

        var watch = Stopwatch.StartNew();
        var ours = Clustering.Run(tokens, parameters);
        var oursSeconds = watch.Elapsed.TotalSeconds;
        Log.Info($"ours: {oursSeconds:F1} s, {ours.Clusters} clusters over {ours.Tokens:N0} tokens, ARI against the planted groups {AdjustedRandIndex.Of(ours.Labels, planted):F3}");
        Log.Info($"  mean silhouette by k: {string.Join(", ", ours.Tried.Select(t => $"{t.Clusters}: {t.Silhouette:F3}"))}");

        watch.Restart();
        var one = Clustering.Run(tokens, parameters with { MinClusters = ours.Clusters, MaxClusters = ours.Clusters, Restarts = 1 });
        var baseSeconds = watch.Elapsed.TotalSeconds;
        Log.Info($"baseline (k = {ours.Clusters} given, one seeding): {baseSeconds:F1} s, ARI {AdjustedRandIndex.Of(one.Labels, planted):F3}");
        rows.Add(new Row("Clustering run", $"{users:N0} users, {groups} planted groups", $"{oursSeconds:F1} s", $"{baseSeconds:F1} s (k given, one seeding)",
            $"{oursSeconds / baseSeconds:F1}x", "<= 60 s at 100,000 users", oursSeconds <= 60 ? "met" : "missed"));
    }

    /// <summary>Each group has 40 keys of its own; a user holds 6-15 of them and 0-4 of 100 keys everyone shares.</summary>
    private static (Dictionary<string, IReadOnlySet<string>>, Dictionary<string, int>) Population(int users, int groups, int seed)
    {
        var random = new Random(seed);
        var tokens = new Dictionary<string, IReadOnlySet<string>>(users);
        var planted = new Dictionary<string, int>(users);
        for (var u = 0; u < users; u++)
        {
            var group = random.Next(groups);
            var taught = new List<TaughtItem>();
            for (var n = random.Next(6, 16); n > 0; n--) taught.Add(new TaughtItem(MemoryTypes.Preference, $"g{group}-k{random.Next(40)}", $"c{group}-{random.Next(4)}"));
            for (var n = random.Next(0, 5); n > 0; n--) taught.Add(new TaughtItem(MemoryTypes.Interest, $"shared-{random.Next(100)}", null));
            var user = $"user-{u:D6}";
            tokens[user] = ClusterFeatures.Tokens(taught);
            planted[user] = group;
        }

        return (tokens, planted);
    }
}
