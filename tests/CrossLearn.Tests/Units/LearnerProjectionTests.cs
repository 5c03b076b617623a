using CrossLearn.Platform.Storage;
using CrossLearn.Features.Learners;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Turns;

namespace CrossLearn.Tests.Units;

/// <summary>The user's write model, one Evolve step at a time, from events built in memory (no database).</summary>
public sealed class LearnerProjectionTests
{
    private const string User = "ana";
    private static readonly DateTimeOffset T0 = Stored.Epoch;

    private readonly LearnerProjection _projection = new();

    private static TurnRecorded Turn(Guid id) => new(User, id, "c1", "I love cats", "Noted.", T0, []);
    private static MemoryLearned Learned(string key, double confidence = 0.9) =>
        new(User, MemoryTypes.Preference, key, key, confidence, Guid.NewGuid(), T0);

    /// <summary>Folds the events as the user's stream holds them, versions counted from 1.</summary>
    private Learner? Fold(params object[] events)
    {
        Learner? learner = null;
        for (var i = 0; i < events.Length; i++)
        {
            var e = Stored.On(User, events[i]);
            e.Version = i + 1;
            learner = _projection.Evolve(learner, User, e);
        }

        return learner;
    }

    [Fact]
    public void Each_turn_is_known_by_its_id_with_where_its_event_stands_in_the_stream()
    {
        var (first, second) = (Guid.NewGuid(), Guid.NewGuid());
        var learner = Fold(Turn(first), Learned("cat"), Turn(second));

        Assert.NotNull(learner);
        Assert.Equal(User, learner.Id);
        Assert.Equal(new LearnerTurn(1, null), learner.Turns[first]);
        Assert.Equal(new LearnerTurn(3, null), learner.Turns[second]);
    }

    [Fact]
    public void A_rating_is_kept_on_its_turn_and_a_later_one_replaces_it()
    {
        var turn = Guid.NewGuid();
        var learner = Fold(Turn(turn), new FeedbackGiven(User, turn, true, null, T0), new FeedbackGiven(User, turn, false, true, T0));
        Assert.False(learner!.Turns[turn].Success);
    }

    [Fact]
    public void A_rating_of_a_turn_the_stream_does_not_hold_adds_no_turn()
    {
        var learner = Fold(Turn(Guid.NewGuid()), new FeedbackGiven(User, Guid.NewGuid(), true, null, T0));
        Assert.Single(learner!.Turns);
    }

    [Fact]
    public void Memories_are_held_with_their_latest_value_and_confidence_until_retracted()
    {
        var turn = Guid.NewGuid();
        var learner = Fold(Turn(turn), Learned("cat", 0.8), Learned("jazz"),
            new MemoryReinforced(User, MemoryTypes.Preference, "cat", "cats", 0.95, turn, T0),
            new MemoryRetracted(User, MemoryTypes.Preference, "jazz", RetractionReasons.Contradicted, turn, T0));

        Assert.Equal([new MemoryLearning.Held(MemoryTypes.Preference, "cat", "cats", 0.95)], learner!.Memories.Values);
        Assert.True(learner.Holds(MemoryTypes.Preference, "cat"));
        Assert.False(learner.Holds(MemoryTypes.Preference, "jazz"));
        // A type is part of the slot: the dislike of a key is not its like.
        Assert.False(learner.Holds(MemoryTypes.NegativePreference, "cat"));
    }

    [Fact]
    public void A_replaced_personal_info_holds_the_new_value()
    {
        var turn = Guid.NewGuid();
        var learner = Fold(Turn(turn),
            new MemoryLearned(User, MemoryTypes.PersonalInfo, "name", "Ana", 0.9, turn, T0),
            new MemoryReplaced(User, MemoryTypes.PersonalInfo, "name", "Anna", 0.85, turn, T0));

        Assert.Equal(new MemoryLearning.Held(MemoryTypes.PersonalInfo, "name", "Anna", 0.85), Assert.Single(learner!.Memories.Values));
    }

    [Fact]
    public void A_moved_memory_is_held_under_its_new_key_only()
    {
        var turn = Guid.NewGuid();
        var learner = Fold(Turn(turn), Learned("cats"),
            new MemoryRekeyed(User, MemoryTypes.Preference, "cats", "cat", "cats", 0.9, "animal", "v2", 1, T0, [turn], T0));

        Assert.Equal(new MemoryLearning.Held(MemoryTypes.Preference, "cat", "cats", 0.9), Assert.Single(learner!.Memories.Values));
    }

    [Fact]
    public void What_the_learning_decider_is_given_decides_as_the_held_memories_say()
    {
        // The write model feeds MemoryLearning.Decide: a like it holds is reinforced, not learned again.
        var learner = Fold(Turn(Guid.NewGuid()), Learned("cat", 0.8));
        var decision = MemoryLearning.Decide(User, Guid.NewGuid(), [new ExtractedMemory(MemoryTypes.Preference, "cat", "cats", 0.8, "animal")],
            learner!.Memories.Values, T0, "v9");

        var reinforced = Assert.IsType<MemoryReinforced>(Assert.Single(decision.Events));
        Assert.Equal(MemoryLearning.Reinforce(0.8, 0.8), reinforced.Confidence);
    }

    [Fact]
    public void An_event_naming_another_user_than_its_stream_is_refused()
    {
        var other = new MemoryLearned("bob", MemoryTypes.Preference, "cat", "cat", 0.9, Guid.NewGuid(), T0);
        Assert.Throws<UnknownEventShapeException>(() => Fold(Turn(Guid.NewGuid()), other));
    }
}
