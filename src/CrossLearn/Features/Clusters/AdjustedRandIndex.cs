namespace CrossLearn.Features.Clusters;

/// <summary>
/// Agreement of two partitions of the same items, corrected for chance (Hubert and Arabie, 1985): 1 for the same
/// grouping under any numbering, about 0 for an unrelated one. Scores clusters against a simulator's planted groups.
/// </summary>
public static class AdjustedRandIndex
{
    public static double Of<TItem, TA, TB>(IReadOnlyDictionary<TItem, TA> a, IReadOnlyDictionary<TItem, TB> b)
        where TItem : notnull where TA : notnull where TB : notnull
    {
        var items = a.Keys.Where(b.ContainsKey).ToList();
        if (items.Count < 2) return 1;
        static double Pairs(long n) => n * (n - 1) / 2.0;
        var both = items.GroupBy(i => (a[i], b[i])).Sum(g => Pairs(g.Count()));
        var rows = items.GroupBy(i => a[i]).Sum(g => Pairs(g.Count()));
        var columns = items.GroupBy(i => b[i]).Sum(g => Pairs(g.Count()));
        var expected = rows * columns / Pairs(items.Count);
        var maximum = (rows + columns) / 2;
        return maximum == expected ? 1 : (both - expected) / (maximum - expected);
    }
}
