using CrossLearn.Features.Clusters;
using CrossLearn.Features.Experiments;
using CrossLearn.Features.Learning;

namespace CrossLearn.Tests.Units;

public sealed class ClusterKnowledgeDeciderTests
{
    private static readonly LearningSettings Defaults = new();
    private static readonly DateTimeOffset Now = Stored.Epoch;

    private static ClusterPatternFigures In(int cluster, string key, int users, int rated, int successful) =>
        new(cluster, new Promotion.Figures("preference", key, users, rated, successful));

    private static ClusterPromotion Promoted(int cluster, string key) => new(cluster, "preference", key);

    private static IReadOnlyList<object> Decide(IReadOnlyList<ClusterPatternFigures> figures, IReadOnlyList<ClusterPromotion> promoted,
        IReadOnlySet<int>? clusters = null, LearningSettings? settings = null, IReadOnlyDictionary<int, IReadOnlyDictionary<string, string>>? verdicts = null) =>
        ClusterKnowledgeDecider.Decide(clusters ?? new HashSet<int> { 1, 2 }, figures,
            promoted.ToDictionary(p => ClusterKnowledgeItem.IdFor(p.ClusterId, p.Type, p.Key)), settings ?? Defaults, verdicts, "boss", Now);

    [Fact]
    public void A_pattern_is_promoted_in_the_cluster_where_its_holders_meet_the_rule_and_nowhere_else()
    {
        // Tea: 6 holders at 100% in cluster 1; 6 at 0% in cluster 2 (globally 50%: no global knowledge).
        var events = Decide([In(1, "tea", 6, 24, 24), In(2, "tea", 6, 24, 0), In(2, "jazz", 3, 30, 30)], []);

        var promoted = Assert.Single(events.OfType<ClusterPatternPromoted>());
        Assert.Equal(new ClusterPatternPromoted(1, "preference", "tea", 6, 24, 1.0, Now), promoted);
        var evaluated = Assert.IsType<ClusterKnowledgeEvaluated>(events[^1]);
        Assert.Equal(new ClusterKnowledgeEvaluated("boss", 2, 3, 1, 1, 0, Now), evaluated);
    }

    [Fact]
    public void Knowledge_whose_holders_left_the_cluster_is_demoted_and_so_is_all_of_a_cluster_that_is_gone()
    {
        var events = Decide([In(1, "tea", 9, 40, 38)], [Promoted(1, "tea"), Promoted(1, "jazz"), Promoted(7, "cats")]);

        Assert.DoesNotContain(events, e => e is ClusterPatternPromoted);
        var demoted = events.OfType<ClusterPatternDemoted>().ToList();
        Assert.Equal([(1, "jazz", "fewer than 4 users"), (7, "cats", ClusterKnowledgeDecider.ClusterGone)],
            demoted.Select(d => (d.ClusterId, d.Key, d.Reason)));
        Assert.Equal(new ClusterKnowledgeEvaluated("boss", 2, 1, 1, 0, 2, Now), events[^1]);
    }

    [Fact]
    public void Under_the_experiment_policy_a_cluster_promotes_only_what_an_experiment_found_better()
    {
        var policy = new LearningSettings { PromotionPolicy = PromotionPolicies.Experiment };
        var figures = new[] { In(1, "tea", 6, 24, 24), In(1, "jazz", 6, 24, 24) };

        Assert.Empty(Decide(figures, [], settings: policy).OfType<ClusterPatternPromoted>());
        var verdicts = new Dictionary<int, IReadOnlyDictionary<string, string>>
        {
            [1] = new Dictionary<string, string>
            {
                [Pattern.IdFor("preference", "tea")] = ExperimentVerdicts.Better, [Pattern.IdFor("preference", "jazz")] = ExperimentVerdicts.Worse
            }
        };
        Assert.Equal(["tea"], Decide(figures, [], settings: policy, verdicts: verdicts).OfType<ClusterPatternPromoted>().Select(p => p.Key));
    }

    private static ClusteredOutcome Outcome(int cluster, string key, string arm, int rated, int successes) =>
        new(cluster, Pattern.IdFor("preference", key), new ExperimentOutcome { Arm = arm, Rated = rated, Successes = successes });

    [Fact]
    public void An_experiment_is_read_again_within_each_cluster_and_its_overall_verdict_stands_where_a_cluster_has_too_few_users()
    {
        var tea = Pattern.IdFor("preference", "tea");
        var outcomes = new List<ClusteredOutcome>();
        // Cluster 1: given tea, its users succeed; without, they fail. Cluster 2 the other way round. Cluster 3: one user an arm.
        for (var i = 0; i < 20; i++)
        {
            outcomes.Add(Outcome(1, "tea", ExperimentArms.Treatment, 10, 9));
            outcomes.Add(Outcome(1, "tea", ExperimentArms.Control, 10, 3));
            outcomes.Add(Outcome(2, "tea", ExperimentArms.Treatment, 10, 2));
            outcomes.Add(Outcome(2, "tea", ExperimentArms.Control, 10, 8));
        }

        outcomes.Add(Outcome(3, "tea", ExperimentArms.Treatment, 10, 10));
        outcomes.Add(Outcome(3, "tea", ExperimentArms.Control, 10, 0));

        var verdicts = ClusterVerdicts.Of(new HashSet<int> { 1, 2, 3, 4 }, new Dictionary<string, string> { [tea] = ExperimentVerdicts.Inconclusive }, outcomes);

        Assert.Equal(ExperimentVerdicts.Better, verdicts[1][tea]);
        Assert.Equal(ExperimentVerdicts.Worse, verdicts[2][tea]);
        Assert.Equal(ExperimentVerdicts.Inconclusive, verdicts[3][tea]);
        Assert.Equal(ExperimentVerdicts.Inconclusive, verdicts[4][tea]);
    }

    [Fact]
    public void The_projections_keep_what_is_promoted_and_forget_what_is_demoted()
    {
        var stream = ClusterKnowledgeStream.Key;
        var promote = Stored.On(stream, new ClusterPatternPromoted(3, "preference", "tea", 6, 24, 1.0, Now));
        promote.Version = 4;
        var demote = Stored.On(stream, new ClusterPatternDemoted(3, "preference", "tea", 2, 8, 1.0, "fewer than 4 users", Now.AddDays(1)));
        var id = ClusterKnowledgeItem.IdFor(3, "preference", "tea");
        var items = new ClusterKnowledgeProjection();

        var item = items.Evolve(null, id, promote)!;
        Assert.Equal((3, "tea", 6, 4L), (item.ClusterId, item.Key, item.UserCount, item.PromotedAtVersion));
        Assert.Null(items.Evolve(item, id, demote));

        var ledgers = new ClusterKnowledgeLedgerProjection();
        var ledger = ledgers.Evolve(null, stream, promote)!;
        Assert.Equal([new ClusterPromotion(3, "preference", "tea")], ledger.Promoted.Values);
        Assert.Empty(ledgers.Evolve(ledger, stream, demote)!.Promoted);

        var folded = ClusterKnowledgeEndpoints.Fold([promote], Now);
        Assert.Equal(["tea"], folded.Knowledge.Select(k => k.Key));
        Assert.Empty(ClusterKnowledgeEndpoints.Fold([promote, demote], Now).Knowledge);
    }

    [Theory]
    [InlineData(6, 6, 6, 12, 2.0)]
    [InlineData(3, 6, 30, 60, 1.0)]
    [InlineData(0, 0, 0, 0, 0.0)]
    public void A_keys_lift_is_its_share_in_the_cluster_over_its_share_in_everyone(int holders, int members, int allHolders, int population, double lift)
    {
        Assert.Equal(lift, ClusterKnowledgeEndpoints.Lift(holders, members, allHolders, population), 6);
    }
}
