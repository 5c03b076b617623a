using CrossLearn.Features.Learning;

namespace CrossLearn.Tests.Learning;

public sealed class PromotionTests
{
    private static readonly LearningSettings Defaults = new();
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<object> Decide(Promotion.Figures figures, bool promoted) =>
        Promotion.Decide([figures], promoted ? new HashSet<string> { figures.Id } : [], Defaults, Now);

    [Theory]
    [InlineData(5, 20, 16, true)]   // exactly at every threshold
    [InlineData(6, 30, 30, true)]
    [InlineData(4, 40, 40, false)]  // too few users
    [InlineData(5, 20, 15, false)]  // 75% < 80%
    [InlineData(5, 19, 19, false)]  // too few rated turns
    [InlineData(5, 0, 0, false)]    // no ratings at all
    public void A_pattern_is_promoted_only_at_every_threshold(int users, int rated, int successful, bool expected)
    {
        var events = Decide(new("preference", "tea", users, rated, successful), promoted: false);
        Assert.Equal(expected, events.SingleOrDefault() is PatternPromoted);
    }

    [Theory]
    [InlineData(4, 20, 16, false)]  // 4 users is not below 4: stays (hysteresis)
    [InlineData(3, 20, 16, true)]
    [InlineData(5, 20, 15, false)]  // 75% is not below 75%
    [InlineData(5, 100, 74, true)]
    [InlineData(5, 5, 5, false)]    // few ratings alone do not demote
    public void Promoted_knowledge_is_demoted_only_below_the_lower_thresholds(int users, int rated, int successful, bool expected)
    {
        var events = Decide(new("preference", "tea", users, rated, successful), promoted: true);
        Assert.Equal(expected, events.SingleOrDefault() is PatternDemoted);
        Assert.DoesNotContain(events, e => e is PatternPromoted);
    }

    [Fact]
    public void Nothing_changes_for_knowledge_that_still_qualifies()
    {
        Assert.Empty(Decide(new("preference", "tea", 9, 50, 45), promoted: true));
    }
}
