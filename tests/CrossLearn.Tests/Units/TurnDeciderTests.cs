using CrossLearn.Features.Context;
using CrossLearn.Features.Learners;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Turns;

namespace CrossLearn.Tests.Units;

/// <summary>The turn and rating deciders without a database: a posted write and the user's write model in, a decision out.</summary>
public sealed class TurnDeciderTests
{
    private static readonly DateTimeOffset Now = Stored.Epoch;
    private static readonly Guid TurnId = Guid.Parse("22222222-2222-2222-2222-222222222222");

    private static TurnToRecord Turn(string message, Guid? chosenId = null) =>
        new("ana", new RecordTurn(message, "Noted.", "c1", chosenId, null), chosenId ?? TurnId, "c1", MemoryExtractor.Extract(message));

    [Fact]
    public void A_new_turn_is_recorded_first_and_then_what_it_teaches_at_the_moment_given()
    {
        var decision = Assert.IsType<TurnDecision.Record>(TurnDecider.Decide(Turn("I prefer tea."), new Learner { Id = "ana" }, false, Now));

        var recorded = Assert.IsType<TurnRecorded>(decision.Events[0]);
        Assert.Equal(("ana", TurnId, "c1", Now), (recorded.UserId, recorded.TurnId, recorded.ConversationId, recorded.RecordedAt));
        Assert.IsType<MemoryLearned>(Assert.Single(decision.Events.Skip(1)));
        Assert.Equal("tea", Assert.Single(decision.Response.Learned).Key);
    }

    [Fact]
    public void A_turn_given_with_a_context_records_its_items()
    {
        var given = new GivenContext(Now.AddSeconds(-3), [new Exposure("knowledge", "preference", "dark mode", 9)]);

        var decision = Assert.IsType<TurnDecision.Record>(
            TurnDecider.Decide(Turn("I prefer tea.") with { Context = given }, new Learner { Id = "ana" }, false, Now));

        Assert.Same(given, Assert.IsType<TurnRecorded>(decision.Events[0]).Context);
        Assert.Null(Assert.IsType<TurnRecorded>(Assert.IsType<TurnDecision.Record>(
            TurnDecider.Decide(Turn("I prefer tea."), new Learner { Id = "ana" }, false, Now)).Events[0]).Context);
    }

    [Fact]
    public void A_turn_id_the_user_recorded_already_is_a_repeat_of_that_version()
    {
        var learner = new Learner { Id = "ana", Turns = { [TurnId] = new LearnerTurn(Version: 7, Success: null) } };

        var decision = TurnDecider.Decide(Turn("I prefer tea.", TurnId), learner, turnIdUsedElsewhere: true, Now);

        Assert.Equal(new TurnDecision.Repeat(7), decision);
    }

    [Fact]
    public void A_turn_id_another_user_holds_is_refused()
    {
        var decision = TurnDecider.Decide(Turn("I prefer tea.", TurnId), new Learner { Id = "ana" }, turnIdUsedElsewhere: true, Now);

        Assert.IsType<TurnDecision.RefuseUsedId>(decision);
    }

    [Fact]
    public void What_the_user_holds_already_is_reinforced_not_learned_again()
    {
        var first = Assert.IsType<TurnDecision.Record>(TurnDecider.Decide(Turn("I prefer tea."), new Learner { Id = "ana" }, false, Now));
        var learner = new Learner { Id = "ana" };
        var learned = (MemoryLearned)first.Events[1];
        learner.Memories[Learner.SlotOf(learned.Type, learned.Key)] = new MemoryLearning.Held(learned.Type, learned.Key, learned.Value, learned.Confidence);

        var again = Assert.IsType<TurnDecision.Record>(TurnDecider.Decide(Turn("I prefer tea.", Guid.NewGuid()), learner, false, Now.AddMinutes(1)));

        Assert.IsType<MemoryReinforced>(again.Events[1]);
    }

    [Fact]
    public void A_rating_of_an_unrated_turn_is_given_and_a_second_replaces_it_naming_the_first()
    {
        var learner = new Learner { Id = "ana", Turns = { [TurnId] = new LearnerTurn(Version: 1, Success: null) } };

        var first = Assert.IsType<RatingDecision.Give>(RatingDecider.Decide(new RatingToGive("ana", TurnId, true), learner, Now));
        Assert.Equal(new FeedbackGiven("ana", TurnId, true, null, Now), first.Event);

        learner.Turns[TurnId] = new LearnerTurn(1, true);
        var replaced = Assert.IsType<RatingDecision.Give>(RatingDecider.Decide(new RatingToGive("ana", TurnId, false), learner, Now));
        Assert.Equal(true, replaced.Event.PreviousSuccess);
    }

    [Fact]
    public void The_same_rating_again_is_unchanged_and_a_turn_the_user_does_not_hold_is_unknown()
    {
        var learner = new Learner { Id = "ana", Turns = { [TurnId] = new LearnerTurn(Version: 1, Success: true) } };

        Assert.IsType<RatingDecision.Unchanged>(RatingDecider.Decide(new RatingToGive("ana", TurnId, true), learner, Now));
        Assert.IsType<RatingDecision.UnknownTurn>(RatingDecider.Decide(new RatingToGive("ana", Guid.NewGuid(), true), learner, Now));
        Assert.IsType<RatingDecision.UnknownTurn>(RatingDecider.Decide(new RatingToGive("ana", TurnId, true), learner: null, Now));
    }
}
