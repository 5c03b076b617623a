using CrossLearn.Platform.Storage;
using CrossLearn.Features.Memories;
using JasperFx.Events;

namespace CrossLearn.Tests.Units;

/// <summary>The memories read model, one Evolve step at a time, from events built in memory (no database).</summary>
public sealed class MemoryProjectionTests
{
    private const string User = "ana";
    private static readonly DateTimeOffset T0 = Stored.Epoch;
    private static readonly string CatId = Memory.IdFor(User, MemoryTypes.Preference, "cat");

    private readonly MemoryProjection _projection = new();

    private static MemoryLearned Learned(Guid turn, DateTimeOffset at, string key = "cat", double confidence = 0.8, string? category = "animal") =>
        new(User, MemoryTypes.Preference, key, key + "s", confidence, turn, at, category, "v1");

    private static MemoryReinforced Reinforced(Guid turn, DateTimeOffset at, double confidence = 0.9, string? category = null, string? version = null) =>
        new(User, MemoryTypes.Preference, "cat", "my cat", confidence, turn, at, category, version);

    /// <summary>Applies the events in order to one document, as Marten does for a stream of them.</summary>
    private Memory? Fold(string id, params object[] events) =>
        events.Aggregate((Memory?)null, (memory, data) => _projection.Evolve(memory, id, Stored.On(User, data)));

    [Fact]
    public void A_learned_memory_starts_seen_once_at_the_time_it_was_learned()
    {
        var turn = Guid.NewGuid();

        var memory = Fold(CatId, Learned(turn, T0));

        Assert.NotNull(memory);
        Assert.Equal((CatId, User, MemoryTypes.Preference, "cat", "cats", "animal", "v1"),
            (memory.Id, memory.UserId, memory.Type, memory.Key, memory.Value, memory.Category, memory.ExtractorVersion));
        Assert.Equal((0.8, 1, T0, T0), (memory.Confidence, memory.TimesSeen, memory.FirstLearnedAt, memory.LastSeenAt));
        Assert.Equal([turn], memory.SourceTurnIds);
    }

    [Fact]
    public void A_reinforcement_counts_a_sighting_and_moves_last_seen_but_not_first_learned()
    {
        var (t1, t2) = (Guid.NewGuid(), Guid.NewGuid());

        var memory = Fold(CatId, Learned(t1, T0), Reinforced(t2, T0.AddHours(1), 0.9, version: "v2"));

        Assert.NotNull(memory);
        Assert.Equal((2, 0.9, "my cat"), (memory.TimesSeen, memory.Confidence, memory.Value));
        Assert.Equal((T0, T0.AddHours(1)), (memory.FirstLearnedAt, memory.LastSeenAt));
        Assert.Equal([t1, t2], memory.SourceTurnIds);
        // An event without a category or version keeps what the memory had; one with them updates it.
        Assert.Equal(("animal", "v2"), (memory.Category, memory.ExtractorVersion));
    }

    [Fact]
    public void A_reinforcement_from_a_turn_already_listed_counts_but_does_not_list_it_twice()
    {
        var turn = Guid.NewGuid();

        var memory = Fold(CatId, Learned(turn, T0), Reinforced(turn, T0.AddMinutes(1)));

        Assert.Equal(2, memory!.TimesSeen);
        Assert.Equal([turn], memory.SourceTurnIds);
    }

    [Fact]
    public void Only_the_most_recent_source_turns_are_kept()
    {
        var turns = Enumerable.Range(0, Memory.MaxSourceTurns + 5).Select(_ => Guid.NewGuid()).ToList();
        object[] events = [Learned(turns[0], T0), .. turns.Skip(1).Select((t, i) => Reinforced(t, T0.AddMinutes(i + 1)))];

        var memory = Fold(CatId, events);

        Assert.Equal(turns.Count, memory!.TimesSeen);
        Assert.Equal(turns.TakeLast(Memory.MaxSourceTurns), memory.SourceTurnIds);
    }

    [Fact]
    public void A_replaced_personal_info_starts_over_from_the_replacing_turn()
    {
        var id = Memory.IdFor(User, MemoryTypes.PersonalInfo, PersonalInfoKeys.Location);
        var (t1, t2, t3) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        object[] history =
        [
            new MemoryLearned(User, MemoryTypes.PersonalInfo, PersonalInfoKeys.Location, "Lisbon", 0.9, t1, T0, "place", "v1"),
            new MemoryReinforced(User, MemoryTypes.PersonalInfo, PersonalInfoKeys.Location, "Lisbon", 0.95, t2, T0.AddDays(1)),
            new MemoryReplaced(User, MemoryTypes.PersonalInfo, PersonalInfoKeys.Location, "Porto", 0.85, t3, T0.AddDays(2))
        ];

        var memory = Fold(id, history);

        Assert.NotNull(memory);
        Assert.Equal(("Porto", 0.85, 1), (memory.Value, memory.Confidence, memory.TimesSeen));
        Assert.Equal((T0.AddDays(2), T0.AddDays(2)), (memory.FirstLearnedAt, memory.LastSeenAt));
        Assert.Equal([t3], memory.SourceTurnIds);
        Assert.Equal(("place", "v1"), (memory.Category, memory.ExtractorVersion));
    }

    [Fact]
    public void A_retracted_memory_is_deleted()
    {
        var retracted = new MemoryRetracted(User, MemoryTypes.Preference, "cat", RetractionReasons.ErasedByUser, null, T0.AddHours(1));
        Assert.Null(Fold(CatId, Learned(Guid.NewGuid(), T0), retracted));
    }

    [Fact]
    public void A_memory_retracted_then_learned_again_in_one_batch_exists_afresh()
    {
        // As a rebuild applies them: the delete does not swallow the new memory.
        var (t1, t2) = (Guid.NewGuid(), Guid.NewGuid());
        var retracted = new MemoryRetracted(User, MemoryTypes.Preference, "cat", RetractionReasons.Contradicted, t2, T0.AddHours(1));

        var memory = Fold(CatId, Learned(t1, T0), Reinforced(t1, T0.AddMinutes(5)), retracted, Learned(t2, T0.AddHours(2), confidence: 0.6));

        Assert.NotNull(memory);
        Assert.Equal((1, 0.6, T0.AddHours(2)), (memory.TimesSeen, memory.Confidence, memory.FirstLearnedAt));
        Assert.Equal([t2], memory.SourceTurnIds);
    }

    [Fact]
    public void A_reinforcement_or_replacement_of_a_memory_that_is_not_there_creates_nothing()
    {
        var replaced = new MemoryReplaced(User, MemoryTypes.Preference, "cat", "cats", 0.9, Guid.NewGuid(), T0);
        Assert.Null(Fold(CatId, Reinforced(Guid.NewGuid(), T0)));
        Assert.Null(Fold(CatId, replaced));
    }

    [Fact]
    public void A_moved_memory_leaves_its_old_key_and_arrives_under_the_new_one_with_its_history()
    {
        var (t1, t2) = (Guid.NewGuid(), Guid.NewGuid());
        var oldId = Memory.IdFor(User, MemoryTypes.Preference, "cats");
        var rekeyed = new MemoryRekeyed(User, MemoryTypes.Preference, "cats", "cat", "cats", 0.95, "animal", "v2", 2, T0, [t1, t2], T0.AddDays(3));
        var learned = Learned(t1, T0, key: "cats");

        Assert.Null(Fold(oldId, learned, rekeyed));
        var moved = Fold(CatId, rekeyed);

        Assert.NotNull(moved);
        Assert.Equal((CatId, "cat", "cats", 0.95, "animal", "v2"), (moved.Id, moved.Key, moved.Value, moved.Confidence, moved.Category, moved.ExtractorVersion));
        Assert.Equal((2, T0, T0.AddDays(3)), (moved.TimesSeen, moved.FirstLearnedAt, moved.LastSeenAt));
        Assert.Equal([t1, t2], moved.SourceTurnIds);
    }

    [Fact]
    public void A_memory_carries_the_stream_version_of_its_last_change()
    {
        IEvent At(long version, object data)
        {
            var e = Stored.On(User, data);
            e.Version = version;
            return e;
        }

        var learned = _projection.Evolve(null, CatId, At(3, Learned(Guid.NewGuid(), T0)))!;
        Assert.Equal(3, learned.ChangedAtVersion);
        var reinforced = _projection.Evolve(learned, CatId, At(8, Reinforced(Guid.NewGuid(), T0.AddDays(1))))!;
        Assert.Equal(8, reinforced.ChangedAtVersion);
        // A rating of a turn is not a change of the memory: a context names it at the same version.
        var rated = _projection.Evolve(reinforced, CatId, At(9, new Features.Turns.FeedbackGiven(User, Guid.NewGuid(), true, null, T0)))!;
        Assert.Equal(8, rated.ChangedAtVersion);
    }

    [Fact]
    public void Events_about_something_else_leave_the_memory_as_it_is()
    {
        var memory = Fold(CatId, Learned(Guid.NewGuid(), T0));

        var after = _projection.Evolve(memory, CatId, Stored.On(User, new Features.Turns.FeedbackGiven(User, Guid.NewGuid(), true, null, T0)));

        Assert.Same(memory, after);
    }

    [Fact]
    public void A_memory_event_naming_another_user_than_its_stream_is_refused()
    {
        // Stored on bea's stream but about ana: it cannot be attributed, so it must not be applied.
        IEvent misfiled = Stored.On("bea", Learned(Guid.NewGuid(), T0));

        Assert.Throws<UnknownEventShapeException>(() => _projection.Evolve(null, CatId, misfiled));
    }

    [Fact]
    public void A_memory_event_with_a_confidence_outside_zero_to_one_is_refused()
    {
        var memory = Fold(CatId, Learned(Guid.NewGuid(), T0));
        IEvent broken = Stored.On(User, Reinforced(Guid.NewGuid(), T0, confidence: 1.5));

        Assert.Throws<UnknownEventShapeException>(() => _projection.Evolve(memory, CatId, broken));
        Assert.Equal(0.8, memory!.Confidence);
    }

    [Fact]
    public void The_ids_an_event_is_about_are_those_Evolve_is_called_with()
    {
        var rekeyed = new MemoryRekeyed(User, MemoryTypes.Preference, "cats", "cat", "cats", 0.9, null, "v2", 1, T0, [Guid.NewGuid()], T0);

        Assert.Equal([CatId], MemoryProjection.IdsOf(Learned(Guid.NewGuid(), T0)));
        Assert.Equal([Memory.IdFor(User, MemoryTypes.Preference, "cats"), CatId], MemoryProjection.IdsOf(rekeyed));
        Assert.Empty(MemoryProjection.IdsOf(new Features.Turns.FeedbackGiven(User, Guid.NewGuid(), true, null, T0)));
        // Users, types and keys are kept apart: no two memories share an id.
        Assert.NotEqual(Memory.IdFor("an", "a" + MemoryTypes.Preference, "cat"), Memory.IdFor("ana", MemoryTypes.Preference, "cat"));
    }
}
