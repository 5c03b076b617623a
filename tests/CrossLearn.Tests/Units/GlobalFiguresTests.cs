using CrossLearn.Features.Learning;
using CrossLearn.Platform.Sharding;

namespace CrossLearn.Tests.Units;

/// <summary>
/// The global side of the exact counts without a database: the latest figures per (pattern, shard), summed, so a
/// report delivered twice or out of order changes nothing; and the fixed user-to-bucket hash.
/// </summary>
public sealed class GlobalFiguresTests
{
    private static PatternFigures Tea(int holders, int rated, int successful) => new("preference", "tea", holders, rated, successful);

    private static GlobalPatternFigures Empty() => new() { Id = GlobalPatternFigures.IdFor("preference", "tea") };

    [Fact]
    public void Shards_figures_are_summed_and_the_success_rate_is_a_ratio_of_the_sums()
    {
        var global = Empty();
        Assert.True(GlobalFigures.Apply(global, "a", 1, Tea(3, 10, 9)));
        Assert.True(GlobalFigures.Apply(global, "b", 1, Tea(2, 2, 1)));

        Assert.Equal((5, 12, 10), (global.Holders, global.RatedTurns, global.SuccessfulTurns));
        // 10 of 12, not the mean of 90% and 50%.
        Assert.Equal(0.8333, global.SuccessRate!.Value, 4);
        Assert.Equal("tea", global.Key);
    }

    [Fact]
    public void A_report_delivered_twice_or_late_changes_nothing()
    {
        var global = Empty();
        GlobalFigures.Apply(global, "a", 7, Tea(4, 20, 18));

        Assert.False(GlobalFigures.Apply(global, "a", 7, Tea(4, 20, 18)));
        Assert.False(GlobalFigures.Apply(global, "a", 6, Tea(1, 1, 0)));
        Assert.Equal((4, 20, 18), (global.Holders, global.RatedTurns, global.SuccessfulTurns));

        Assert.True(GlobalFigures.Apply(global, "a", 8, Tea(5, 21, 19)));
        Assert.Equal(5, global.Holders);
    }

    [Fact]
    public void Any_order_of_the_same_reports_gives_the_same_figures()
    {
        var reports = new[] { ("a", 1L, Tea(1, 2, 2)), ("b", 1L, Tea(2, 5, 1)), ("a", 2L, Tea(3, 6, 4)), ("b", 2L, Tea(1, 1, 1)), ("a", 3L, Tea(2, 4, 4)) };
        var random = new Random(5);
        var expected = (Holders: 3, Rated: 5, Successful: 5);
        for (var run = 0; run < 50; run++)
        {
            var global = Empty();
            foreach (var (shard, sequence, figures) in reports.OrderBy(_ => random.Next()).Concat(reports.Take(2)))
                GlobalFigures.Apply(global, shard, sequence, figures);
            Assert.Equal(expected, (global.Holders, global.RatedTurns, global.SuccessfulTurns));
        }
    }

    [Fact]
    public void Held_nowhere_the_key_text_goes_and_an_older_report_cannot_bring_it_back()
    {
        var global = Empty();
        GlobalFigures.Apply(global, "a", 1, Tea(1, 3, 3));
        GlobalFigures.Apply(global, "a", 2, Tea(0, 0, 0));

        Assert.Equal(("", 0), (global.Key, global.Holders));
        Assert.False(GlobalFigures.Apply(global, "a", 1, Tea(1, 3, 3)));
        Assert.Equal(0, global.Holders);

        GlobalFigures.Apply(global, "b", 1, Tea(2, 0, 0));
        Assert.Equal(("tea", 2), (global.Key, global.Holders));
    }

    [Fact]
    public void A_pattern_is_kept_under_a_hash_of_its_id()
    {
        var id = GlobalPatternFigures.IdFor("preference", "tea");
        Assert.Equal(64, id.Length);
        Assert.DoesNotContain("tea", id);
        Assert.NotEqual(id, GlobalPatternFigures.IdFor("interest", "tea"));
    }

    [Fact]
    public void A_users_bucket_is_a_published_hash_and_spreads_users_evenly()
    {
        // FNV-1a 32 test vectors (the published ones): the bucket of a user never depends on this code's version.
        Assert.Equal(0xe40c292cu, Buckets.Fnv1a("a"));
        Assert.Equal(0xbf9cf968u, Buckets.Fnv1a("foobar"));
        Assert.Equal((int)(0xbf9cf968u % 1024), Buckets.Of("foobar"));
        Assert.Equal("b0007", Buckets.Name(7));

        var counts = new int[Buckets.Count];
        for (var i = 0; i < 102_400; i++) counts[Buckets.Of($"user-{i}")]++;
        // 100 a bucket on average; a uniform spread keeps every bucket within 50..150 at this size.
        Assert.InRange(counts.Min(), 50, 100);
        Assert.InRange(counts.Max(), 100, 150);
    }
}
