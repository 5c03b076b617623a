using CrossLearn.Platform.Storage;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Profile;
using CrossLearn.Features.Turns;

namespace CrossLearn.Tests.Units;

/// <summary>The per-user figures behind /api/me, one Evolve step at a time, from events built in memory (no database).</summary>
public sealed class UserProfileProjectionTests
{
    private const string User = "ana";
    private static readonly DateTimeOffset T0 = Stored.Epoch;

    private readonly UserProfileProjection _projection = new();

    private static TurnRecorded Turn(DateTimeOffset at) => new(User, Guid.NewGuid(), "c1", "I love cats", "Noted.", at, []);
    private static MemoryLearned Learned(string key) => new(User, MemoryTypes.Preference, key, key, 0.9, Guid.NewGuid(), T0);
    private static MemoryRetracted Retracted(string key) => new(User, MemoryTypes.Preference, key, RetractionReasons.ErasedByUser, null, T0);
    private static FeedbackGiven Rated(bool success, bool? previous = null) => new(User, Guid.NewGuid(), success, previous, T0);

    private UserProfile? Fold(params object[] events) =>
        events.Aggregate((UserProfile?)null, (profile, data) => _projection.Evolve(profile, User, Stored.On(User, data)));

    [Fact]
    public void The_first_turn_creates_the_profile_and_later_turns_count_and_move_last_seen()
    {
        var profile = Fold(Turn(T0), Turn(T0.AddHours(1)), Turn(T0.AddHours(2)));

        Assert.NotNull(profile);
        Assert.Equal((User, 3), (profile.Id, profile.InteractionCount));
        Assert.Equal((T0, T0.AddHours(2)), (profile.FirstSeenAt, profile.LastSeenAt));
        // Nothing rated yet: no rate rather than 0%.
        Assert.Null(profile.SuccessRate);
    }

    [Fact]
    public void Learned_memories_count_up_and_retracted_ones_count_down()
    {
        var profile = Fold(Turn(T0), Learned("cat"), Learned("jazz"), Learned("tea"), Retracted("jazz"));
        Assert.Equal(2, profile!.MemoryCount);
    }

    [Fact]
    public void Reinforcing_replacing_or_moving_a_memory_does_not_change_how_many_there_are()
    {
        var turn = Guid.NewGuid();
        var profile = Fold(Turn(T0), Learned("cat"),
            new MemoryReinforced(User, MemoryTypes.Preference, "cat", "cat", 0.95, turn, T0),
            new MemoryReplaced(User, MemoryTypes.Preference, "cat", "cats", 0.9, turn, T0),
            new MemoryRekeyed(User, MemoryTypes.Preference, "cat", "feline", "cats", 0.9, null, "v2", 2, T0, [turn], T0));

        Assert.Equal(1, profile!.MemoryCount);
    }

    [Fact]
    public void Ratings_give_the_success_rate_of_rated_turns()
    {
        var profile = Fold(Turn(T0), Rated(true), Rated(true), Rated(false));

        Assert.Equal((3, 2), (profile!.RatedTurns, profile.SuccessfulTurns));
        Assert.Equal(SuccessRate.Of(2, 3), profile.SuccessRate);
        Assert.Equal(0.6667, profile.SuccessRate);
    }

    [Fact]
    public void A_changed_rating_replaces_the_previous_one_instead_of_adding_a_turn()
    {
        var profile = Fold(Turn(T0), Rated(true), Rated(false, previous: true));

        Assert.Equal((1, 0, 0.0), (profile!.RatedTurns, profile.SuccessfulTurns, profile.SuccessRate));

        profile = _projection.Evolve(profile, User, Stored.On(User, Rated(true, previous: false)));
        Assert.Equal((1, 1, 1.0), (profile!.RatedTurns, profile.SuccessfulTurns, profile.SuccessRate));
    }

    [Fact]
    public void The_same_rating_given_again_changes_nothing()
    {
        var profile = Fold(Turn(T0), Rated(true), Rated(true, previous: true));
        Assert.Equal((1, 1, 1.0), (profile!.RatedTurns, profile.SuccessfulTurns, profile.SuccessRate));
    }

    [Fact]
    public void A_memory_or_rating_before_any_turn_still_makes_a_profile_for_the_stream()
    {
        // Defensive: the stream's id names the profile when no turn came first.
        var fromMemory = Fold(Learned("cat"));
        var fromRating = Fold(Rated(true));

        Assert.Equal((User, 1, 0), (fromMemory!.Id, fromMemory.MemoryCount, fromMemory.InteractionCount));
        Assert.Equal((User, 1), (fromRating!.Id, fromRating.RatedTurns));
    }

    [Fact]
    public void A_profile_begun_by_a_memory_is_first_seen_at_its_first_turn()
    {
        var profile = Fold(Learned("cat"), Turn(T0.AddHours(3)), Turn(T0.AddHours(5)));

        Assert.Equal((T0.AddHours(3), T0.AddHours(5), 2), (profile!.FirstSeenAt, profile.LastSeenAt, profile.InteractionCount));
    }

    [Fact]
    public void Events_the_profile_does_not_count_leave_it_as_it_is()
    {
        var profile = Fold(Turn(T0));
        var after = _projection.Evolve(profile, User, Stored.On(User, new MemoryReplaced(User, MemoryTypes.Preference, "cat", "cats", 0.9, Guid.NewGuid(), T0)));

        Assert.Same(profile, after);
        Assert.Equal((1, 0), (after!.InteractionCount, after.MemoryCount));
    }

    [Fact]
    public void A_rating_naming_another_user_than_its_stream_is_refused_before_it_counts()
    {
        var profile = Fold(Turn(T0), Rated(true));
        var misfiled = Stored.On(User, new FeedbackGiven("bea", Guid.NewGuid(), false, null, T0));

        Assert.Throws<UnknownEventShapeException>(() => _projection.Evolve(profile, User, misfiled));
        Assert.Equal((1, 1), (profile!.RatedTurns, profile.SuccessfulTurns));
    }

    [Fact]
    public void A_turn_without_an_id_is_refused()
    {
        var broken = Stored.On(User, new TurnRecorded(User, Guid.Empty, "c1", "hi", "hello", T0, []));
        Assert.Throws<UnknownEventShapeException>(() => _projection.Evolve(null, User, broken));
    }
}
