using CrossLearn.Features.Memories;
using CrossLearn.Features.Turns;

namespace CrossLearn.Tests.Units;

/// <summary>The turn read model's Evolve (what a rebuild folds), called with events built in memory (no database).</summary>
public sealed class TurnProjectionTests
{
    private const string User = "ana";
    private static readonly DateTimeOffset T0 = Stored.Epoch;
    private static readonly Guid TurnId = Guid.Parse("33333333-3333-3333-3333-333333333333");

    private static TurnRecorded Recorded(params MemoryLearning.Learned[] learned) =>
        new(User, TurnId, "c1", "I love cats", "Cats are great.", T0, learned);

    private static Turn? Evolve(Turn? turn, object data) => TurnProjection.Evolve(turn, TurnId, Stored.On(User, data));

    [Fact]
    public void A_recorded_turn_is_what_the_user_said_and_was_answered_with_no_rating_yet()
    {
        var cat = new MemoryLearning.Learned(MemoryTypes.Preference, "cat", "cats", 0.9, "animal");

        var turn = Evolve(null, Recorded(cat))!;

        Assert.Equal((TurnId, User, "c1", "I love cats", "Cats are great.", T0),
            (turn.Id, turn.UserId, turn.ConversationId, turn.UserMessage, turn.AiResponse, turn.RecordedAt));
        Assert.Equal([cat], turn.Learned);
        Assert.Null(turn.Success);
    }

    [Fact]
    public void The_turn_keeps_its_own_copy_of_what_was_learned()
    {
        // The document's list must not be the event's: changing one must not change the other.
        var learned = new List<MemoryLearning.Learned> { new(MemoryTypes.Preference, "cat", "cats", 0.9) };
        var recorded = new TurnRecorded(User, TurnId, "c1", "I love cats", "Cats are great.", T0, learned);

        var turn = Evolve(null, recorded)!;
        turn.Learned.Clear();

        Assert.Single(recorded.Learned);
    }

    [Fact]
    public void A_rating_sets_success_and_a_later_rating_overrides_it()
    {
        var turn = Evolve(null, Recorded());

        turn = Evolve(turn, new FeedbackGiven(User, TurnId, true, null, T0.AddMinutes(1)));
        Assert.True(turn!.Success);

        turn = Evolve(turn, new FeedbackGiven(User, TurnId, false, true, T0.AddMinutes(2)));
        Assert.False(turn!.Success);
    }

    [Fact]
    public void A_rating_of_no_recorded_turn_makes_no_turn_and_a_turn_recorded_again_is_not_replaced()
    {
        Assert.Null(Evolve(null, new FeedbackGiven(User, TurnId, true, null, T0)));
        var turn = Evolve(null, Recorded());
        Assert.Same(turn, Evolve(turn, new TurnRecorded(User, TurnId, "c2", "Other", "Words", T0.AddMinutes(1), [])));
        Assert.Equal("c1", turn!.ConversationId);
    }

    [Fact]
    public void A_turn_naming_another_user_than_its_stream_is_refused()
    {
        var other = new TurnRecorded("bea", TurnId, "c1", "hi", "hello", T0, []);
        Assert.Throws<CrossLearn.Platform.Storage.UnknownEventShapeException>(() => Evolve(null, other));
    }

    [Fact]
    public void Its_identities_are_the_turn_ids_of_its_events()
    {
        Assert.Equal([TurnId], TurnProjection.IdsOf(Recorded()));
        Assert.Equal([TurnId], TurnProjection.IdsOf(new FeedbackGiven(User, TurnId, true, null, T0)));
        Assert.Empty(TurnProjection.IdsOf(new MemoryRetracted(User, MemoryTypes.Preference, "cat", "user", null, T0)));
    }
}
