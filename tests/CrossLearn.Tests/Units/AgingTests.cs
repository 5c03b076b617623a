using CrossLearn.Features.Learning;

namespace CrossLearn.Tests.Units;

/// <summary>Pattern decay without a database: weights, recent success, demotion with hysteresis, and what promotion then waits for.</summary>
public sealed class AgingTests
{
    private static readonly DateTimeOffset AsOf = Stored.Epoch;
    private static readonly LearningSettings Settings = new() { RecentMinRatedTurns = 10, DecayDemotionAfterAgings = 2 };
    private static readonly string Tea = Pattern.IdFor("preference", "tea");

    private static KnowledgeBook Promoted(int lowAgings = 0) => new()
    {
        Promoted = { [Tea] = new PromotedPattern("preference", "tea") },
        Aging = { [Tea] = new AgedPattern("preference", "tea", 5, 20, 8, lowAgings) }
    };

    private static Aging.Measured Tea_(int rated, int successes) => new("preference", "tea", 4.2, rated, successes);

    private static readonly Dictionary<string, Promotion.Figures> Figures = new() { [Tea] = new("preference", "tea", 5, 52, 40) };

    [Fact]
    public void A_holder_counts_half_after_each_half_life()
    {
        Assert.Equal(1, Aging.Weight(TimeSpan.Zero, 90));
        Assert.Equal(0.5, Aging.Weight(TimeSpan.FromDays(90), 90), 12);
        Assert.Equal(0.125, Aging.Weight(TimeSpan.FromDays(270), 90), 12);
        Assert.Equal(1, Aging.Weight(TimeSpan.FromDays(-3), 90));
    }

    [Fact]
    public void Knowledge_failing_of_late_for_two_agings_in_a_row_is_demoted_though_its_all_time_rate_holds()
    {
        var first = Aging.Decide([Tea_(20, 8)], Promoted(), Figures, Settings, AsOf, "boss");
        var aged = Assert.IsType<PatternsAged>(Assert.Single(first));
        Assert.Equal((AsOf, "boss", 1), (aged.AsOf, aged.RequestedBy, Assert.Single(aged.Patterns).LowAgings));

        var second = Aging.Decide([Tea_(20, 8)], Promoted(lowAgings: 1), Figures, Settings, AsOf.AddDays(1), "boss");
        var demoted = Assert.IsType<PatternDemoted>(second[1]);
        Assert.Equal((5, 52, Math.Round(40.0 / 52, 4)), (demoted.UserCount, demoted.RatedTurns, demoted.SuccessRate!.Value));
        Assert.Contains("recent success below 0.75 for 2 agings", demoted.Reason);
    }

    [Theory]
    [InlineData(20, 16, 1, 0)] // 0.80 is back at the promotion threshold: cleared
    [InlineData(20, 15, 1, 1)] // 0.75, between the thresholds: held
    [InlineData(5, 0, 1, 1)]   // too few recent ratings to tell: held
    public void Between_the_thresholds_or_without_enough_ratings_the_count_holds_and_only_recovery_clears_it(int rated, int successes, int before, int expected)
    {
        var aged = Assert.IsType<PatternsAged>(Assert.Single(Aging.Decide([Tea_(rated, successes)], Promoted(before), Figures, Settings, AsOf, "boss")));
        Assert.Equal(expected, Assert.Single(aged.Patterns).LowAgings);
    }

    [Fact]
    public void A_pattern_that_is_not_knowledge_is_measured_but_never_demoted()
    {
        var events = Aging.Decide([Tea_(20, 0)], new KnowledgeBook(), Figures, Settings, AsOf, "boss");

        var pattern = Assert.Single(Assert.IsType<PatternsAged>(Assert.Single(events)).Patterns);
        Assert.Equal((4.2, 0, 0.0), (pattern.Weight, pattern.LowAgings, pattern.RecentSuccessRate!.Value));
    }

    [Fact]
    public void Promotion_waits_while_the_latest_aging_finds_the_pattern_failing_of_late()
    {
        var qualifying = new Promotion.Figures("preference", "tea", 5, 52, 42);
        var failing = new KnowledgeBook { Aging = { [Tea] = new AgedPattern("preference", "tea", 5, 20, 8, 0) } };
        var recovered = new KnowledgeBook { Aging = { [Tea] = new AgedPattern("preference", "tea", 5, 20, 16, 0) } };

        Assert.Empty(Promotion.Decide([qualifying], new HashSet<string>(), Settings, AsOf, null, Promotion.FailingOfLate(failing, Settings)));
        Assert.Single(Promotion.Decide([qualifying], new HashSet<string>(), Settings, AsOf, null, Promotion.FailingOfLate(recovered, Settings)));
        Assert.Single(Promotion.Decide([qualifying], new HashSet<string>(), Settings, AsOf, null, Promotion.FailingOfLate(new KnowledgeBook(), Settings)));
    }

    [Fact]
    public void The_write_model_and_the_standings_follow_each_aging()
    {
        var aging = Stored.On(KnowledgeStream.Key, new PatternsAged(AsOf, 90, 20, "boss", [new AgedPattern("preference", "tea", 2.5, 20, 15, 1)]));

        var book = new KnowledgeBookProjection().Evolve(null, KnowledgeStream.Key, aging)!;
        Assert.Equal((AsOf, 1), (book.LastAgedAt!.Value, book.Aging[Tea].LowAgings));
        var standing = new PatternStandingProjection().Evolve(null, Tea, aging)!;
        Assert.Equal((2.5, 20, 0.75, AsOf), (standing.Weight, standing.RecentRatedTurns, standing.RecentSuccessRate!.Value, standing.AgedAt));
    }

    [Fact]
    public void Holders_add_up_over_the_shard_databases_and_knowledge_is_measured_however_few_hold_it()
    {
        Aging.HolderWeights[] parts =
        [
            new("preference", "tea", 1, 0.5), new("preference", "jazz", 1, 1.0), // east
            new("preference", "tea", 1, 0.25), new("interest", "chess", 1, 1.0) // west
        ];

        var measurable = Aging.Measurable(parts, minUsers: 2, knowledge: new HashSet<string> { Pattern.IdFor("interest", "chess") });
        Assert.Equal([("interest", "chess"), ("preference", "tea")], measurable.Order());

        var measured = Aging.Combine(measurable, parts, [], window: 50);
        Assert.Equal([("interest", "chess", 1.0), ("preference", "tea", 0.75)], measured.Select(m => (m.Type, m.Key, m.Weight)));
    }

    [Fact]
    public void The_recent_window_is_the_newest_rated_turns_over_all_databases_ties_broken_by_turn_id()
    {
        var at = (int minutes) => AsOf.AddMinutes(-minutes);
        Aging.HolderRating[] ratings =
        [
            new("preference", "tea", true, at(1), "00000000-0000-0000-0000-00000000000a"), // east, newest
            new("preference", "tea", false, at(5), "00000000-0000-0000-0000-00000000000b"),
            new("preference", "tea", false, at(3), "00000000-0000-0000-0000-00000000000c"), // west
            new("preference", "tea", true, at(3), "00000000-0000-0000-0000-00000000000d"), // the same moment: the higher id is newer
            new("preference", "tea", true, at(9), "00000000-0000-0000-0000-00000000000e")
        ];

        var measured = Assert.Single(Aging.Combine([("preference", "tea")], [new("preference", "tea", 2, 2.0)], ratings, window: 3));

        // The newest three: a (ok), d (ok), c (failed).
        Assert.Equal((3, 2), (measured.RecentRatedTurns, measured.RecentSuccesses));
    }
}
