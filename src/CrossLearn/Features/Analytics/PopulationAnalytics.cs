namespace CrossLearn.Features.Analytics;

public sealed record Bucket(string Label, int Users);

public sealed record Distribution(double P10, double P25, double P50, double P75, double P90, double P99, double Mean, IReadOnlyList<Bucket> Buckets);

public sealed record PopulationView(
    int Population, int RatedPopulation, long Interactions, long Memories, long RatedTurns,
    Distribution MemoryCount, Distribution InteractionCount, Distribution? SuccessRate, DateTimeOffset CalculatedAt);

/// <summary>
/// Figures across all users for admins: distributions only, never a user id or a message. Computed from the sorted
/// figures of every user that <see cref="PopulationRanks"/> gathers from each shard database (a percentile over the
/// union is not a sum of the databases' percentiles), so one database and a pool take the same path.
/// </summary>
public static class PopulationAnalytics
{
    private static readonly (string Label, double From, double To)[] CountBuckets =
        [("0", 0, 0), ("1", 1, 1), ("2-5", 2, 5), ("6-10", 6, 10), ("11-20", 11, 20), ("21-50", 21, 50), ("51-100", 51, 100), ("101+", 101, double.MaxValue)];

    private static readonly (string Label, double From, double To)[] RateBuckets =
        Enumerable.Range(0, 10).Select(i => ($"{i * 10}-{(i + 1) * 10}%", i / 10.0, i == 9 ? 1.0 : (i + 1) / 10.0 - 1e-9)).ToArray();

    private static readonly double[] Fractions = [0.1, 0.25, 0.5, 0.75, 0.9, 0.99];

    public static PopulationView From(PopulationRanks.Distribution population) => new(
        population.Population, population.SuccessRates.Length,
        population.InteractionCounts.Sum(c => (long)c), population.MemoryCounts.Sum(c => (long)c), population.RatedTurns,
        Of(population.MemoryCounts.Select(c => (double)c).ToArray(), CountBuckets),
        Of(population.InteractionCounts.Select(c => (double)c).ToArray(), CountBuckets),
        population.SuccessRates.Length == 0 ? null : Of(population.SuccessRates, RateBuckets),
        population.CalculatedAt);

    /// <summary>Percentiles as PostgreSQL's percentile_cont computes them (linear between the two nearest ranks), of sorted values.</summary>
    public static double PercentileOfSorted(double[] sorted, double fraction)
    {
        if (sorted.Length == 0) return 0;
        var position = fraction * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }

    private static Distribution Of(double[] sorted, (string Label, double From, double To)[] buckets)
    {
        var p = Fractions.Select(f => Math.Round(PercentileOfSorted(sorted, f), 4)).ToArray();
        var mean = sorted.Length == 0 ? 0 : Math.Round(sorted.Average(), 4);
        return new Distribution(p[0], p[1], p[2], p[3], p[4], p[5], mean,
            buckets.Select(b => new Bucket(b.Label, sorted.Count(v => v >= b.From && v <= b.To))).ToList());
    }
}
