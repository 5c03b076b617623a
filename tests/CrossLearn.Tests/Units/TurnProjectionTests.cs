using CrossLearn.Features.Memories;
using CrossLearn.Features.Turns;

namespace CrossLearn.Tests.Units;

/// <summary>The turn read model's Create and Apply, called with events built in memory (no database).</summary>
public sealed class TurnProjectionTests
{
    private const string User = "ana";
    private static readonly DateTimeOffset T0 = Stored.Epoch;
    private static readonly Guid TurnId = Guid.Parse("33333333-3333-3333-3333-333333333333");

    private readonly TurnProjection _projection = new();

    private static TurnRecorded Recorded(params MemoryLearning.Learned[] learned) =>
        new(User, TurnId, "c1", "I love cats", "Cats are great.", T0, learned);

    [Fact]
    public void A_recorded_turn_is_what_the_user_said_and_was_answered_with_no_rating_yet()
    {
        var cat = new MemoryLearning.Learned(MemoryTypes.Preference, "cat", "cats", 0.9, "animal");

        var turn = _projection.Create(Recorded(cat));

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

        var turn = _projection.Create(recorded);
        turn.Learned.Clear();

        Assert.Single(recorded.Learned);
    }

    [Fact]
    public void A_rating_sets_success_and_a_later_rating_overrides_it()
    {
        var turn = _projection.Create(Recorded());

        _projection.Apply(new FeedbackGiven(User, TurnId, true, null, T0.AddMinutes(1)), turn);
        Assert.True(turn.Success);

        _projection.Apply(new FeedbackGiven(User, TurnId, false, true, T0.AddMinutes(2)), turn);
        Assert.False(turn.Success);
    }
}
