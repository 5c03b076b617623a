using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;

namespace CrossLearn.Tests.Units;

/// <summary>
/// The promotion decider without a database: pattern figures and the current knowledge in, events out.
/// Every threshold is read from <see cref="LearningSettings"/>, so these tests follow the code's numbers.
/// </summary>
public sealed class PromotionTests
{
    private static readonly LearningSettings Settings = new();
    private static readonly DateTimeOffset Now = Stored.Epoch;
    private static readonly HashSet<string> NoKnowledge = [];

    // Enough rated turns that one successful turn fewer is a small step below a rate threshold.
    private static readonly int ManyRated = Math.Max(Settings.PromotionMinRatedTurns, 100);

    private static int SuccessfulFor(double rate, int rated) => (int)Math.Ceiling(Math.Round(rate * rated, 6));

    private static Promotion.Figures Jazz(int users, int rated, int successful) =>
        new(MemoryTypes.Preference, "jazz", users, rated, successful);

    /// <summary>A pattern exactly at every promotion threshold.</summary>
    private static Promotion.Figures AtPromotion() =>
        Jazz(Settings.PromotionMinUsers, Settings.PromotionMinRatedTurns,
            SuccessfulFor(Settings.PromotionMinSuccessRate, Settings.PromotionMinRatedTurns));

    private static HashSet<string> Known(Promotion.Figures p) => [p.Id];

    private static IReadOnlyList<object> Decide(Promotion.Figures p, IReadOnlySet<string> promoted, LearningSettings? settings = null) =>
        Promotion.Decide([p], promoted, settings ?? Settings, Now);

    [Fact]
    public void The_thresholds_are_the_ones_the_issue_names()
    {
        // 5 or more holders, 80% or more success; demotion sits below both so knowledge does not flap.
        Assert.Equal((5, 0.80), (Settings.PromotionMinUsers, Settings.PromotionMinSuccessRate));
        Assert.True(Settings.DemotionBelowUsers <= Settings.PromotionMinUsers);
        Assert.True(Settings.DemotionBelowSuccessRate <= Settings.PromotionMinSuccessRate);
    }

    [Fact]
    public void A_pattern_exactly_at_every_threshold_is_promoted_with_its_figures()
    {
        var p = AtPromotion();
        // The figures really sit on the rate threshold, not above it.
        Assert.Equal(Settings.PromotionMinSuccessRate, p.SuccessRate);

        var promoted = Assert.IsType<PatternPromoted>(Assert.Single(Decide(p, NoKnowledge)));

        Assert.Equal(new PatternPromoted(MemoryTypes.Preference, "jazz", p.UserCount, p.RatedTurns, Settings.PromotionMinSuccessRate, Now), promoted);
    }

    [Fact]
    public void One_holder_short_of_the_threshold_is_not_promoted()
    {
        var p = AtPromotion() with { UserCount = Settings.PromotionMinUsers - 1 };
        Assert.Empty(Decide(p, NoKnowledge));
    }

    [Fact]
    public void A_success_rate_one_turn_below_the_threshold_is_not_promoted()
    {
        var successful = SuccessfulFor(Settings.PromotionMinSuccessRate, ManyRated) - 1;
        var p = Jazz(Settings.PromotionMinUsers, ManyRated, successful);
        Assert.True(p.SuccessRate < Settings.PromotionMinSuccessRate);

        Assert.Empty(Decide(p, NoKnowledge));
        // One more successful turn and it is.
        Assert.IsType<PatternPromoted>(Assert.Single(Decide(p with { SuccessfulTurns = successful + 1 }, NoKnowledge)));
    }

    [Fact]
    public void A_perfect_rate_on_too_few_rated_turns_is_not_promoted()
    {
        var rated = Settings.PromotionMinRatedTurns - 1;
        var p = Jazz(Settings.PromotionMinUsers * 10, rated, rated);
        Assert.Empty(Decide(p, NoKnowledge));
    }

    [Fact]
    public void A_pattern_nobody_rated_is_not_promoted_even_when_no_rated_turns_are_required()
    {
        // Without ratings there is no success rate: it must not count as meeting the rate (nor throw).
        var settings = new LearningSettings { PromotionMinRatedTurns = 0 };
        var p = Jazz(Settings.PromotionMinUsers, 0, 0);
        Assert.Null(p.SuccessRate);

        Assert.Empty(Decide(p, NoKnowledge, settings));
    }

    [Fact]
    public void Configured_thresholds_are_used_rather_than_the_defaults()
    {
        var settings = new LearningSettings { PromotionMinUsers = 3, DemotionBelowUsers = 2 };
        var p = AtPromotion() with { UserCount = 3 };

        Assert.Empty(Decide(p, NoKnowledge));
        Assert.IsType<PatternPromoted>(Assert.Single(Decide(p, NoKnowledge, settings)));
    }

    [Fact]
    public void Knowledge_that_still_qualifies_is_not_promoted_again()
    {
        var p = AtPromotion();
        Assert.Empty(Decide(p, Known(p)));
    }

    [Fact]
    public void Knowledge_between_the_demotion_and_promotion_thresholds_stays_and_such_a_pattern_is_not_promoted()
    {
        // At the demotion thresholds (not below them) and short of promotion: hysteresis keeps each where it is.
        var p = Jazz(Settings.DemotionBelowUsers, ManyRated, SuccessfulFor(Settings.DemotionBelowSuccessRate, ManyRated));
        Assert.Equal(Settings.DemotionBelowSuccessRate, p.SuccessRate);
        Assert.False(Promotion.Qualifies(p, Settings));

        Assert.Empty(Decide(p, Known(p)));
        Assert.Empty(Decide(p, NoKnowledge));
    }

    [Fact]
    public void Knowledge_held_by_fewer_than_the_demotion_users_is_demoted()
    {
        var p = AtPromotion() with { UserCount = Settings.DemotionBelowUsers - 1 };

        var demoted = Assert.IsType<PatternDemoted>(Assert.Single(Decide(p, Known(p))));

        Assert.Equal(new PatternDemoted(MemoryTypes.Preference, "jazz", p.UserCount, p.RatedTurns, p.SuccessRate,
            $"fewer than {Settings.DemotionBelowUsers} users", Now), demoted);
    }

    [Fact]
    public void Knowledge_whose_success_rate_falls_one_turn_below_the_demotion_rate_is_demoted()
    {
        var successful = SuccessfulFor(Settings.DemotionBelowSuccessRate, ManyRated) - 1;
        var p = Jazz(Settings.PromotionMinUsers, ManyRated, successful);

        var demoted = Assert.IsType<PatternDemoted>(Assert.Single(Decide(p, Known(p))));

        // Invariant globalization: the rate reads 0.75 on every server.
        Assert.Equal($"success rate below {Settings.DemotionBelowSuccessRate:0.##}", demoted.Reason);
        Assert.Equal("success rate below 0.75", demoted.Reason);
        Assert.Equal(p.SuccessRate, demoted.SuccessRate);
    }

    [Fact]
    public void Too_few_users_is_the_reason_given_when_both_demotion_thresholds_are_crossed()
    {
        var p = Jazz(Settings.DemotionBelowUsers - 1, ManyRated, 0);
        Assert.StartsWith("fewer than", Assert.IsType<PatternDemoted>(Assert.Single(Decide(p, Known(p)))).Reason);
    }

    [Fact]
    public void Knowledge_whose_pattern_nobody_holds_any_more_is_demoted_on_empty_figures()
    {
        // The handlers judge knowledge without a pattern on (0, 0, 0).
        var gone = new Promotion.Figures(MemoryTypes.Preference, "jazz", 0, 0, 0);

        var demoted = Assert.IsType<PatternDemoted>(Assert.Single(Decide(gone, Known(gone))));

        Assert.Equal((0, 0, (double?)null), (demoted.UserCount, demoted.RatedTurns, demoted.SuccessRate));
    }

    [Fact]
    public void Knowledge_still_held_by_enough_users_but_with_no_rated_turn_left_is_demoted()
    {
        // Its rated holders left: the success it was promoted on is gone, while the holders stay above the demotion line.
        var p = Jazz(Settings.PromotionMinUsers, 0, 0);

        var demoted = Assert.IsType<PatternDemoted>(Assert.Single(Decide(p, Known(p))));

        Assert.Equal(("no rated turns left", (double?)null), (demoted.Reason, demoted.SuccessRate));
    }

    [Fact]
    public void A_pattern_below_every_threshold_that_is_not_knowledge_is_not_demoted()
    {
        Assert.Empty(Decide(Jazz(1, 0, 0), NoKnowledge));
    }

    [Fact]
    public void Each_pattern_is_decided_on_its_own_in_the_order_given()
    {
        var rising = AtPromotion() with { Key = "go" };
        var falling = AtPromotion() with { Key = "jazz", UserCount = 1 };
        var steady = AtPromotion() with { Key = "tea" };

        var events = Promotion.Decide([rising, falling, steady], new HashSet<string> { falling.Id, steady.Id }, Settings, Now);

        Assert.Collection(events,
            e => Assert.Equal("go", Assert.IsType<PatternPromoted>(e).Key),
            e => Assert.Equal("jazz", Assert.IsType<PatternDemoted>(e).Key));
    }

    [Fact]
    public void Knowledge_is_recognised_by_type_and_key_so_a_dislike_is_not_the_like_of_the_same_key()
    {
        var like = AtPromotion();
        var dislike = like with { Type = MemoryTypes.NegativePreference };

        var promoted = Assert.IsType<PatternPromoted>(Assert.Single(Decide(dislike, Known(like))));
        Assert.Equal(MemoryTypes.NegativePreference, promoted.Type);
    }
}
