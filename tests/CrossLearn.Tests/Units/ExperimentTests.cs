using CrossLearn.Features.Experiments;
using CrossLearn.Features.Learning;

namespace CrossLearn.Tests.Units;

/// <summary>The pure parts of experiments: the split, the statistics, the decider and the read model, without a database.</summary>
public sealed class ExperimentTests
{
    private static readonly DateTimeOffset Now = Stored.Epoch;
    private static readonly Guid Id = Guid.Parse("33333333-3333-3333-3333-333333333333");

    [Fact]
    public void A_user_keeps_their_arm_and_the_split_follows_the_share()
    {
        var users = Enumerable.Range(0, 20_000).Select(i => $"user-{i}").ToList();

        Assert.All(users.Take(100), u => Assert.Equal(ExperimentArms.Of("e1", u, 0.5), ExperimentArms.Of("e1", u, 0.5)));
        var share = users.Count(u => ExperimentArms.Of("e1", u, 0.3) == ExperimentArms.Treatment) / (double)users.Count;
        Assert.InRange(share, 0.28, 0.32);
        // Another experiment splits the same users independently: about half of e1's treatment is in e2's.
        var both = users.Count(u => ExperimentArms.Of("e1", u, 0.5) == ExperimentArms.Treatment && ExperimentArms.Of("e2", u, 0.5) == ExperimentArms.Treatment);
        Assert.InRange(both / (double)users.Count, 0.23, 0.27);
    }

    [Fact]
    public void The_interval_of_a_difference_counts_users_not_turns()
    {
        var comparison = ExperimentStatistics.Compare([new(10, 9), new(10, 8)], [new(10, 5), new(10, 6)]);

        Assert.Equal(new ArmFigures(2, 20, 17), comparison.Treatment);
        Assert.Equal(0.55, comparison.Control.SuccessRate!.Value, 10);
        Assert.Equal(0.30, comparison.Difference!.Value, 10);
        // Each arm: residuals of +-0.5 over two users of ten turns: variance 0.5 / (2 * 10^2) = 0.0025.
        var margin = ExperimentStatistics.Z95 * Math.Sqrt(0.005);
        Assert.Equal(0.30 - margin, comparison.Low!.Value, 10);
        Assert.Equal(0.30 + margin, comparison.High!.Value, 10);
    }

    [Fact]
    public void With_one_turn_per_user_the_variance_is_the_binomial_one()
    {
        List<UserOutcome> Arm(int users, int successes) =>
            [.. Enumerable.Range(0, users).Select(i => new UserOutcome(1, i < successes ? 1 : 0))];

        var comparison = ExperimentStatistics.Compare(Arm(100, 80), Arm(100, 60));

        var variance = 0.8 * 0.2 / 99 + 0.6 * 0.4 / 99;
        Assert.Equal(0.2 - ExperimentStatistics.Z95 * Math.Sqrt(variance), comparison.Low!.Value, 10);
    }

    [Fact]
    public void Without_two_rated_users_an_arm_has_no_interval()
    {
        var comparison = ExperimentStatistics.Compare([new(5, 5), new(0, 0)], [new(3, 1), new(4, 2)]);

        Assert.Equal(1, comparison.Treatment.Users);
        Assert.NotNull(comparison.Difference);
        Assert.Null(comparison.Low);
        Assert.Null(ExperimentStatistics.Compare([], [new(3, 1)]).Difference);
    }

    [Fact]
    public void An_experiment_starts_on_a_held_or_promoted_pattern_not_yet_under_test()
    {
        var request = new StartExperiment("preference", "dark mode", null);

        var started = Assert.IsType<ExperimentDecision.Append>(ExperimentDecider.Start(request, new KnowledgeBook(), true, Id, "boss", 0.5, Now));
        Assert.Equal(new ExperimentStarted(Id, "preference", "dark mode", 0.5, "boss", Now), started.Event);

        var promotedOnly = new KnowledgeBook { Promoted = { [Pattern.IdFor("preference", "dark mode")] = new PromotedPattern("preference", "dark mode") } };
        Assert.IsType<ExperimentDecision.Append>(ExperimentDecider.Start(request with { TreatmentShare = 0.2 }, promotedOnly, false, Id, "boss", 0.5, Now));

        var unknown = Assert.IsType<ExperimentDecision.Refuse>(ExperimentDecider.Start(request, new KnowledgeBook(), false, Id, "boss", 0.5, Now));
        Assert.Equal(404, unknown.Status);

        var running = new KnowledgeBook { Experiments = { [Pattern.IdFor("preference", "dark mode")] = Guid.NewGuid() } };
        Assert.Equal(409, Assert.IsType<ExperimentDecision.Refuse>(ExperimentDecider.Start(request, running, true, Id, "boss", 0.5, Now)).Status);
    }

    [Fact]
    public void Only_a_running_experiment_can_be_stopped()
    {
        var experiment = new Experiment { Id = Id, Type = "preference", Key = "tea" };

        var stopped = Assert.IsType<ExperimentDecision.Append>(ExperimentDecider.Stop(experiment, "boss", Now));
        Assert.Equal(new ExperimentStopped(Id, "preference", "tea", "boss", Now), stopped.Event);
        Assert.Equal(404, Assert.IsType<ExperimentDecision.Refuse>(ExperimentDecider.Stop(null, "boss", Now)).Status);
        experiment.Status = ExperimentStatuses.Stopped;
        Assert.Equal(409, Assert.IsType<ExperimentDecision.Refuse>(ExperimentDecider.Stop(experiment, "boss", Now)).Status);
    }

    [Fact]
    public void The_read_model_and_the_write_model_follow_the_knowledge_stream()
    {
        var start = Stored.On(KnowledgeStream.Key, new ExperimentStarted(Id, "preference", "tea", 0.4, "boss", Now));
        start.Version = 12;
        var stop = Stored.On(KnowledgeStream.Key, new ExperimentStopped(Id, "preference", "tea", "root", Now.AddDays(2)));

        var projection = new ExperimentProjection();
        var running = projection.Evolve(null, Id, start)!;
        Assert.Equal((ExperimentStatuses.Running, 12L, 0.4), (running.Status, running.StartedAtVersion, running.TreatmentShare));
        var ended = projection.Evolve(running, Id, stop)!;
        Assert.Equal((ExperimentStatuses.Stopped, "root", Now.AddDays(2)), (ended.Status, ended.StoppedBy, ended.StoppedAt!.Value));

        var books = new KnowledgeBookProjection();
        var book = books.Evolve(null, KnowledgeStream.Key, start)!;
        Assert.Equal(Id, book.Experiments[Pattern.IdFor("preference", "tea")]);
        Assert.Empty(books.Evolve(book, KnowledgeStream.Key, stop)!.Experiments);
    }

    private static readonly ExperimentSettings Horizon = new() { HorizonUsersPerArm = 2, HorizonRatedTurnsPerArm = 4 };

    private static ExperimentOutcome Outcome(string user, string arm, int rated, int successes) =>
        new() { Id = ExperimentOutcome.IdFor(Id, user), ExperimentId = Id, UserId = user, Arm = arm, Rated = rated, Successes = successes };

    [Fact]
    public void An_experiment_is_judged_only_when_both_arms_reach_the_horizon()
    {
        var experiment = new Experiment { Id = Id, Type = "preference", Key = "tea" };
        List<ExperimentOutcome> outcomes =
        [
            Outcome("t1", ExperimentArms.Treatment, 2, 2), Outcome("t2", ExperimentArms.Treatment, 2, 1),
            Outcome("c1", ExperimentArms.Control, 3, 0)
        ];

        Assert.Null(ExperimentDecider.Conclude(experiment, outcomes, Horizon, Now));

        outcomes.Add(Outcome("c2", ExperimentArms.Control, 1, 1));
        var concluded = ExperimentDecider.Conclude(experiment, outcomes, Horizon, Now)!;
        Assert.Equal((new ArmFigures(2, 4, 3), new ArmFigures(2, 4, 1)), (concluded.Treatment, concluded.Control));
        Assert.Equal(0.5, concluded.Difference!.Value, 10);
        Assert.Equal(ExperimentVerdicts.Of(ExperimentDecider.Compare(outcomes)), concluded.Verdict);

        experiment.Status = ExperimentStatuses.Stopped;
        Assert.Null(ExperimentDecider.Conclude(experiment, outcomes, Horizon, Now));
    }

    [Theory]
    [InlineData(0.01, 0.2, ExperimentVerdicts.Better)]
    [InlineData(-0.2, -0.01, ExperimentVerdicts.Worse)]
    [InlineData(-0.1, 0.1, ExperimentVerdicts.Inconclusive)]
    public void The_verdict_is_where_the_interval_lies(double low, double high, string verdict) =>
        Assert.Equal(verdict, ExperimentVerdicts.Of(new ArmComparison(new(2, 4, 2), new(2, 4, 2), (low + high) / 2, low, high)));

    [Fact]
    public void Ratings_count_per_user_and_arm_and_a_re_rating_replaces_the_earlier_one()
    {
        var trial = new Features.Context.Exposure("knowledge", "preference", "tea", 4, ExperimentArms.Control, Id);
        var id = ExperimentOutcome.IdFor(Id, "ana");
        var projection = new ExperimentOutcomeProjection();
        ExperimentOutcome? Rate(ExperimentOutcome? o, bool success, bool? previous) =>
            projection.Evolve(o, id, Stored.On("ana", new Features.Turns.FeedbackGiven("ana", Guid.NewGuid(), success, previous, Now, [trial])));

        var outcome = Rate(Rate(Rate(null, true, null), false, null), false, true)!;

        Assert.Equal((ExperimentArms.Control, 2, 0), (outcome.Arm, outcome.Rated, outcome.Successes));
        Assert.Equal([id], ExperimentOutcomeProjection.IdsOf(new Features.Turns.FeedbackGiven("ana", Guid.NewGuid(), true, null, Now, [trial])));
        Assert.Empty(ExperimentOutcomeProjection.IdsOf(new Features.Turns.FeedbackGiven("ana", Guid.NewGuid(), true, null, Now)));
    }

    [Fact]
    public void A_rating_carries_the_experiment_exposures_of_its_turn()
    {
        var turnId = Guid.NewGuid();
        var trial = new Features.Context.Exposure("knowledge", "preference", "tea", 4, ExperimentArms.Treatment, Id);
        var memory = new Features.Context.Exposure("memory", "preference", "jazz", 2);
        var recorded = Stored.On("ana", new Features.Turns.TurnRecorded("ana", turnId, "c1", "Hi", "Hello", Now, [],
            new Features.Turns.GivenContext(Now, [memory, trial])));
        var learner = new Features.Learners.LearnerProjection().Evolve(null, "ana", recorded)!;

        var decision = Features.Turns.RatingDecider.Decide(new Features.Turns.RatingToGive("ana", turnId, true), learner, Now);

        var given = Assert.IsType<Features.Turns.RatingDecision.Give>(decision);
        Assert.Equal([trial], given.Event.Trials!);
    }

    private static readonly LearningSettings Seed = new();
    private static readonly LearningSettings ByExperiment = new() { PromotionPolicy = PromotionPolicies.Experiment };
    private static readonly Promotion.Figures Qualifying = new("preference", "tea", 6, 30, 27);

    [Fact]
    public void Under_the_experiment_policy_only_a_better_verdict_promotes_and_a_worse_one_demotes()
    {
        var none = new HashSet<string>();
        var promoted = new HashSet<string> { Qualifying.Id };
        Dictionary<string, string> Verdict(string v) => new() { [Qualifying.Id] = v };

        Assert.Single(Promotion.Decide([Qualifying], none, Seed, Now));
        Assert.Single(Promotion.Decide([Qualifying], none, Seed, Now, Verdict(ExperimentVerdicts.Worse)));
        Assert.Empty(Promotion.Decide([Qualifying], none, ByExperiment, Now));
        Assert.Empty(Promotion.Decide([Qualifying], none, ByExperiment, Now, Verdict(ExperimentVerdicts.Inconclusive)));
        Assert.IsType<PatternPromoted>(Assert.Single(Promotion.Decide([Qualifying], none, ByExperiment, Now, Verdict(ExperimentVerdicts.Better))));

        Assert.Empty(Promotion.Decide([Qualifying], promoted, Seed, Now, Verdict(ExperimentVerdicts.Worse)));
        var demoted = Assert.IsType<PatternDemoted>(Assert.Single(Promotion.Decide([Qualifying], promoted, ByExperiment, Now, Verdict(ExperimentVerdicts.Worse))));
        Assert.Contains("experiment", demoted.Reason);
    }

    [Fact]
    public void Experiments_start_on_their_own_only_when_enabled_and_for_patterns_never_tested_nor_stopped()
    {
        var on = new ExperimentSettings { AutoStart = true, TreatmentShare = 0.4 };
        var few = new Promotion.Figures("preference", "coffee", 4, 0, 0);
        var tested = new Promotion.Figures("preference", "vim", 5, 0, 0);
        var running = new Promotion.Figures("preference", "jazz", 5, 0, 0);
        var stopped = new Promotion.Figures("preference", "tabs", 5, 0, 0);
        var book = new KnowledgeBook
        {
            Verdicts = { [tested.Id] = ExperimentVerdicts.Inconclusive },
            Experiments = { [running.Id] = Guid.NewGuid() },
            Stopped = { stopped.Id }
        };
        Promotion.Figures[] patterns = [Qualifying, few, tested, running, stopped];

        var started = Assert.Single(ExperimentDecider.AutoStart(patterns, book, new HashSet<string>(), Seed, on, Now));
        Assert.Equal(("tea", 0.4, ExperimentStarters.Automatic), (started.Key, started.TreatmentShare, started.StartedBy));
        Assert.Equal(started, Assert.Single(ExperimentDecider.AutoStart(patterns, book, new HashSet<string>(), Seed, on, Now)));
        Assert.Empty(ExperimentDecider.AutoStart(patterns, book, new HashSet<string> { Qualifying.Id }, Seed, on, Now));
        Assert.Empty(ExperimentDecider.AutoStart(patterns, book, new HashSet<string>(), Seed, new ExperimentSettings(), Now));
    }

    [Fact]
    public void A_verdict_ends_the_experiment_in_the_write_model_and_stays_as_the_patterns_verdict()
    {
        var start = Stored.On(KnowledgeStream.Key, new ExperimentStarted(Id, "preference", "tea", 0.5, "boss", Now));
        var end = Stored.On(KnowledgeStream.Key, new ExperimentConcluded(Id, "preference", "tea", ExperimentVerdicts.Worse,
            new ArmFigures(3, 6, 1), new ArmFigures(3, 6, 5), -0.66, -0.9, -0.4, Now));
        var books = new KnowledgeBookProjection();

        var book = books.Evolve(books.Evolve(null, KnowledgeStream.Key, start), KnowledgeStream.Key, end)!;

        Assert.Empty(book.Experiments);
        Assert.Equal(ExperimentVerdicts.Worse, book.Verdicts[Pattern.IdFor("preference", "tea")]);
        var experiment = new ExperimentProjection().Evolve(new ExperimentProjection().Evolve(null, Id, start), Id, end)!;
        Assert.Equal((ExperimentStatuses.Concluded, ExperimentVerdicts.Worse, 5), (experiment.Status, experiment.Verdict, experiment.Result!.Control.Successes));
    }
}
