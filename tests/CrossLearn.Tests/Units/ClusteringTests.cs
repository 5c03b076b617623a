using CrossLearn.Features.Clusters;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Learning;
using Microsoft.Extensions.Configuration;

namespace CrossLearn.Tests.Units;

public sealed class ClusteringTests
{
    /// <summary>
    /// Users in <paramref name="groups"/> planted groups: each group has its own 12 keys, a user holds 4 to 7 of their
    /// group's and 0 to 2 shared by everyone (noise).
    /// </summary>
    private static (Dictionary<string, IReadOnlySet<string>> Tokens, Dictionary<string, int> Planted) Population(int users, int groups, int seed)
    {
        var random = new Random(seed);
        var tokens = new Dictionary<string, IReadOnlySet<string>>();
        var planted = new Dictionary<string, int>();
        for (var u = 0; u < users; u++)
        {
            var group = u % groups;
            var user = $"u{u:D5}";
            var taught = Enumerable.Range(0, 12).OrderBy(_ => random.Next()).Take(random.Next(4, 8))
                .Select(k => new TaughtItem(MemoryTypes.Preference, $"g{group}-key{k}", $"cat{group}"))
                .Concat(Enumerable.Range(0, random.Next(0, 3)).Select(_ => new TaughtItem(MemoryTypes.Interest, $"common{random.Next(20)}", null)))
                .Append(new TaughtItem(MemoryTypes.PersonalInfo, "name", null));
            tokens[user] = ClusterFeatures.Tokens(taught);
            planted[user] = group;
        }

        return (tokens, planted);
    }

    [Fact]
    public void Planted_groups_are_found_with_their_number_chosen_by_the_silhouette()
    {
        var (tokens, planted) = Population(1200, 4, seed: 3);

        var outcome = Clustering.Run(tokens, new ClusteringParameters { MinClusters = 2, MaxClusters = 8 });

        Assert.Equal(4, outcome.Clusters);
        Assert.Equal(Enumerable.Range(2, 7), outcome.Tried.Select(t => t.Clusters));
        Assert.Equal(4, outcome.Tried.MaxBy(t => t.Silhouette)!.Clusters);
        Assert.True(AdjustedRandIndex.Of(outcome.Labels, planted) >= 0.95, $"ARI {AdjustedRandIndex.Of(outcome.Labels, planted):F3}");
        // The same input and seed give the same labels.
        Assert.Equal(outcome.Labels, Clustering.Run(tokens, new ClusteringParameters { MinClusters = 2, MaxClusters = 8 }).Labels);
    }

    [Fact]
    public void No_cluster_is_smaller_than_the_least_size_so_a_user_whose_set_is_a_subset_of_the_others_joins_them()
    {
        // Six users taught tea, jazz and cats; a seventh tea and jazz only. The silhouette alone splits the seventh off
        // (a cluster of one identical set is "perfect"); under the least size of 5 they stay one cluster.
        static IReadOnlySet<string> Taught(params string[] keys) => ClusterFeatures.Tokens([.. keys.Select(k => new TaughtItem(MemoryTypes.Preference, k, null))]);
        var tokens = Enumerable.Range(0, 6).ToDictionary(i => $"peer{i}", _ => Taught("tea", "jazz", "cats"));
        tokens["me"] = Taught("tea", "jazz");

        var split = Clustering.Run(tokens, new ClusteringParameters { MinClusterSize = 1 });
        Assert.NotEqual(split.Labels["peer0"], split.Labels["me"]);
        var kept = Clustering.Run(tokens, new ClusteringParameters());
        Assert.Equal((1, 7), (kept.Clusters, kept.Labels.Values.Count(l => l == kept.Labels["peer0"])));
        Assert.All(kept.Tried, t => Assert.True(t.SmallestCluster < 5));

        // Two groups of six and that seventh: two clusters, the seventh with the group they share most with.
        foreach (var i in Enumerable.Range(0, 6)) tokens[$"coder{i}"] = Taught("dark mode", "python", "sushi");
        var two = Clustering.Run(tokens, new ClusteringParameters());
        Assert.Equal(2, two.Clusters);
        Assert.Equal(two.Labels["peer0"], two.Labels["me"]);
        Assert.NotEqual(two.Labels["coder0"], two.Labels["me"]);
    }

    [Fact]
    public void Personal_info_takes_no_part_and_a_user_with_nothing_shared_is_not_clustered()
    {
        Assert.Equal(["category\u001fpreference\u001fdrinks", "preference\u001ftea"],
            ClusterFeatures.Tokens([new(MemoryTypes.Preference, "tea", "drinks"), new(MemoryTypes.PersonalInfo, "name", "identity")]).Order());

        var (tokens, _) = Population(200, 2, seed: 1);
        tokens["loner"] = ClusterFeatures.Tokens([new(MemoryTypes.Preference, "something nobody else said", null)]);
        tokens["private"] = ClusterFeatures.Tokens([new(MemoryTypes.PersonalInfo, "name", null)]);

        var outcome = Clustering.Run(tokens, new ClusteringParameters { MaxClusters = 4 });
        Assert.DoesNotContain("loner", outcome.Labels.Keys);
        Assert.DoesNotContain("private", outcome.Labels.Keys);
        Assert.Equal(200, outcome.Labels.Count);
    }

    [Fact]
    public void Cluster_ids_follow_the_largest_overlaps_so_users_keep_their_label_when_k_means_renumbers()
    {
        var previous = new Dictionary<string, int> { ["a"] = 7, ["b"] = 7, ["c"] = 7, ["d"] = 9, ["e"] = 9, ["f"] = 9 };
        // The same groups numbered the other way round, "c" moved, and a new group of two.
        var labels = new Dictionary<string, int> { ["a"] = 1, ["b"] = 1, ["c"] = 0, ["d"] = 0, ["e"] = 0, ["f"] = 0, ["g"] = 2, ["h"] = 2 };

        var ids = ClusterIdentities.Match(previous, labels);

        Assert.Equal(7, ids[1]);
        Assert.Equal(9, ids[0]);
        Assert.Equal(10, ids[2]);
        // A first run has nothing to follow: ids from 1.
        Assert.Equal(new Dictionary<int, int> { [0] = 1, [1] = 2, [2] = 3 }, ClusterIdentities.Match(new Dictionary<string, int>(), labels));
    }

    [Fact]
    public void Two_clusters_that_both_overlap_one_old_cluster_most_share_it_not_one_new_id_for_both()
    {
        var previous = new Dictionary<string, int> { ["a"] = 1, ["b"] = 1, ["c"] = 1, ["d"] = 1, ["e"] = 1 };
        var split = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0, ["c"] = 0, ["d"] = 1, ["e"] = 1 };

        var ids = ClusterIdentities.Match(previous, split);

        Assert.Equal(1, ids[0]);
        Assert.Equal(2, ids[1]);
    }

    [Fact]
    public void The_adjusted_rand_index_is_1_for_the_same_grouping_under_other_numbers_and_near_0_for_an_unrelated_one()
    {
        var a = Enumerable.Range(0, 1000).ToDictionary(i => i, i => i % 4);
        var renamed = a.ToDictionary(p => p.Key, p => $"group {3 - p.Value}");
        Assert.Equal(1, AdjustedRandIndex.Of(a, renamed), 10);

        var random = new Random(5);
        var unrelated = a.ToDictionary(p => p.Key, _ => random.Next(4));
        Assert.InRange(AdjustedRandIndex.Of(a, unrelated), -0.02, 0.02);

        // A known small case: {1,2,3}{4,5} against {1,2}{3,4,5}.
        var x = new Dictionary<int, int> { [1] = 0, [2] = 0, [3] = 0, [4] = 1, [5] = 1 };
        var y = new Dictionary<int, int> { [1] = 0, [2] = 0, [3] = 1, [4] = 1, [5] = 1 };
        // pairs: both 2, rows 3+1=4, columns 1+3=4, total 10: expected 1.6, max 4 -> (2-1.6)/(4-1.6) = 1/6.
        Assert.Equal(1 / 6.0, AdjustedRandIndex.Of(x, y), 10);
    }

    [Fact]
    public void A_run_writes_only_the_users_whose_cluster_changed_and_those_who_left_every_cluster()
    {
        var run = Guid.NewGuid();
        var asOf = DateTimeOffset.Parse("2026-12-07T12:00:00Z");
        var previous = new Dictionary<string, int> { ["ana"] = 4, ["bo"] = 4, ["cy"] = 5, ["dee"] = 5 };
        // "cy" joined ana's group, "dee" left every cluster, "eve" is new.
        var outcome = new ClusteringOutcome(2, new Dictionary<string, int> { ["ana"] = 0, ["bo"] = 0, ["cy"] = 0, ["eve"] = 1 }, [], 10);

        var decision = ClusterDecider.Decide(outcome, previous, run, asOf);

        Assert.Equal<object>([new UserClustered("cy", run, 4, asOf), new UserClustered("eve", run, 6, asOf), new UserUnclustered("dee", run, asOf)],
            decision.Changes);
        Assert.Equal([new ClusterSize(4, 3), new ClusterSize(6, 1)], decision.Sizes);
    }
}

public sealed class RecommendationRuleTests
{
    private static readonly Evidence Global = new(1000, 800);
    private static readonly Evidence NoTurns = new(0, 0);
    private static readonly Dictionary<string, (Evidence, Evidence)> NoExperiments = [];

    [Fact]
    public void Only_preferences_and_interests_held_by_k_or_more_are_shown_with_rounded_counts_the_best_predicted_first()
    {
        Recommendations.Candidate[] candidates =
        [
            new(MemoryTypes.Preference, "few", 4, new Evidence(40, 40)),
            new(MemoryTypes.PersonalInfo, "name", 50, new Evidence(500, 450)),
            new(MemoryTypes.NegativePreference, "jokes", 50, new Evidence(500, 450)),
            new(MemoryTypes.Preference, "tea", 37, new Evidence(300, 280)),
            new(MemoryTypes.Interest, "jazz", 8, new Evidence(80, 40))
        ];

        var shown = Recommendations.Choose(candidates, 118, new Evidence(1000, 800), Global, NoTurns, NoExperiments, new RecommendationSettings());

        Assert.Equal(["tea", "jazz"], shown.Select(s => s.Key));
        Assert.Equal((35, 120), (shown[0].Holders, shown[0].ClusterUsers));
        Assert.Equal("held by 35 of the 120 users most like you; 93% of their rated turns succeed", shown[0].Explanation);
        Assert.Equal(8, shown[1].Holders);
        Assert.True(shown[0].PredictedSuccess > shown[1].PredictedSuccess);
    }

    [Fact]
    public void A_measured_experiment_outweighs_the_holders_own_success()
    {
        Recommendations.Candidate[] candidates = [new(MemoryTypes.Preference, "emoji", 20, new Evidence(200, 190))];
        var harmful = new Dictionary<string, (Evidence, Evidence)> { [Pattern.IdFor(MemoryTypes.Preference, "emoji")] = (new Evidence(1000, 600), new Evidence(1000, 800)) };

        var hinted = Recommendations.Choose(candidates, 100, new Evidence(1000, 800), Global, NoTurns, NoExperiments, new RecommendationSettings()).Single();
        var measured = Recommendations.Choose(candidates, 100, new Evidence(1000, 800), Global, NoTurns, harmful, new RecommendationSettings()).Single();

        Assert.True(hinted.PredictedSuccess > 0.8);
        Assert.True(measured.PredictedSuccess < 0.7);
    }

    [Fact]
    public void K_may_not_be_set_below_2()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Recommendations:MinHolders", "1")]).Build();
        Assert.Throws<InvalidOperationException>(() => RecommendationSettings.Load(configuration));
    }
}
