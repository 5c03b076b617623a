using CrossLearn.Features.Memories;

namespace CrossLearn.Tests.Units;

/// <summary>The learning decider without a database: what a turn says and what the user holds in, events out.</summary>
public sealed class MemoryLearningTests
{
    private const string User = "ana";
    private const string Version = "v9";
    private static readonly DateTimeOffset Now = Stored.Epoch;
    private static readonly Guid TurnId = Guid.Parse("11111111-1111-1111-1111-111111111111");

    private static readonly Dictionary<(string Type, string Key), Memory> Nothing = [];

    private static Dictionary<(string Type, string Key), Memory> Holding(params Memory[] memories) =>
        memories.ToDictionary(m => (m.Type, m.Key));

    private static Memory Held(string type, string key, string value, double confidence) => new()
    {
        Id = Memory.IdFor(User, type, key), UserId = User, Type = type, Key = key, Value = value, Confidence = confidence,
        TimesSeen = 1, FirstLearnedAt = Now.AddDays(-1), LastSeenAt = Now.AddDays(-1), SourceTurnIds = [Guid.NewGuid()]
    };

    private static MemoryLearning.Decision Decide(Dictionary<(string Type, string Key), Memory> held, params ExtractedMemory[] extracted) =>
        MemoryLearning.Decide(User, TurnId, extracted, held.Values.Select(MemoryLearning.Held.Of), Now, Version);

    [Fact]
    public void A_memory_the_user_does_not_hold_is_learned_with_the_confidence_it_was_said_with()
    {
        var decision = Decide(Nothing, new ExtractedMemory(MemoryTypes.Preference, "cat", "cats", 0.9, "animal"));

        var learned = Assert.IsType<MemoryLearned>(Assert.Single(decision.Events));
        Assert.Equal(new MemoryLearned(User, MemoryTypes.Preference, "cat", "cats", 0.9, TurnId, Now, "animal", Version), learned);
        // What the chat app is told matches what was recorded.
        Assert.Equal(new MemoryLearning.Learned(MemoryTypes.Preference, "cat", "cats", 0.9, "animal"), Assert.Single(decision.Learned));
    }

    [Fact]
    public void A_memory_said_again_is_reinforced_toward_one_and_keeps_the_new_wording()
    {
        var held = Holding(Held(MemoryTypes.Preference, "cat", "cats", 0.9));

        var decision = Decide(held, new ExtractedMemory(MemoryTypes.Preference, "cat", "my cat", 0.9, "animal"));

        var reinforced = Assert.IsType<MemoryReinforced>(Assert.Single(decision.Events));
        // Half of the remaining 0.1 gap, scaled by 0.9: 1 - 0.1 * 0.55.
        Assert.Equal(0.945, reinforced.Confidence, 10);
        Assert.Equal(MemoryLearning.Reinforce(0.9, 0.9), reinforced.Confidence);
        Assert.Equal(("my cat", TurnId, Now, "animal", Version), (reinforced.Value, reinforced.TurnId, reinforced.SeenAt, reinforced.Category, reinforced.ExtractorVersion));
        Assert.Equal(0.945, Assert.Single(decision.Learned).Confidence, 10);
        // The held memory is an input, not state to change: the projection does that from the event.
        Assert.Equal(0.9, held[(MemoryTypes.Preference, "cat")].Confidence);
    }

    [Theory]
    [InlineData(0.0, 1.0, 0.5)]
    [InlineData(0.5, 1.0, 0.75)]
    [InlineData(0.5, 0.0, 0.5)]
    [InlineData(1.0, 0.7, 1.0)]
    public void Reinforcing_closes_half_the_gap_to_one_scaled_by_how_sure_the_new_statement_is(double held, double said, double expected) =>
        Assert.Equal(expected, MemoryLearning.Reinforce(held, said), 10);

    [Fact]
    public void Reinforcement_only_rises_and_never_passes_one_however_often_a_thing_is_said()
    {
        var confidence = 0.5;
        for (var i = 0; i < 50; i++)
        {
            var next = MemoryLearning.Reinforce(confidence, 1.0);
            Assert.InRange(next, confidence, 1.0);
            confidence = next;
        }

        // Rounded to 4 places, it ends at (or a rounding step below) certainty.
        Assert.InRange(confidence, 0.9999, 1.0);
    }

    [Fact]
    public void The_same_memory_twice_in_one_turn_is_learned_then_reinforced_not_learned_twice()
    {
        var cat = new ExtractedMemory(MemoryTypes.Preference, "cat", "cats", 0.8);

        var decision = Decide(Nothing, cat, cat);

        Assert.Collection(decision.Events,
            e => Assert.IsType<MemoryLearned>(e),
            e => Assert.Equal(MemoryLearning.Reinforce(0.8, 0.8), Assert.IsType<MemoryReinforced>(e).Confidence));
    }

    [Fact]
    public void A_dislike_retracts_the_like_of_the_same_key_as_contradicted_before_it_is_learned()
    {
        var held = Holding(Held(MemoryTypes.Preference, "jazz", "jazz", 0.9));

        var decision = Decide(held, new ExtractedMemory(MemoryTypes.NegativePreference, "jazz", "jazz", 0.9, "music"));

        Assert.Collection(decision.Events,
            e => Assert.Equal(new MemoryRetracted(User, MemoryTypes.Preference, "jazz", RetractionReasons.Contradicted, TurnId, Now), e),
            e => Assert.Equal((MemoryTypes.NegativePreference, "jazz"), (Assert.IsType<MemoryLearned>(e).Type, ((MemoryLearned)e).Key)));
        // Only what the user now holds is reported back: the dislike.
        Assert.Equal(MemoryTypes.NegativePreference, Assert.Single(decision.Learned).Type);
    }

    [Fact]
    public void A_like_retracts_the_dislike_of_the_same_key_the_other_way_round()
    {
        var held = Holding(Held(MemoryTypes.NegativePreference, "jazz", "jazz", 0.9));

        var decision = Decide(held, new ExtractedMemory(MemoryTypes.Preference, "jazz", "jazz", 0.9));

        var retracted = Assert.IsType<MemoryRetracted>(decision.Events[0]);
        Assert.Equal((MemoryTypes.NegativePreference, RetractionReasons.Contradicted), (retracted.Type, retracted.Reason));
        Assert.IsType<MemoryLearned>(decision.Events[1]);
    }

    [Fact]
    public void A_like_and_a_dislike_of_one_key_in_the_same_turn_leave_the_later_one()
    {
        // The later statement wins even when the earlier was learned moments before in the same turn.
        var decision = Decide(Nothing,
            new ExtractedMemory(MemoryTypes.Preference, "jazz", "jazz", 0.9),
            new ExtractedMemory(MemoryTypes.NegativePreference, "jazz", "jazz", 0.9));

        Assert.Equal([typeof(MemoryLearned), typeof(MemoryRetracted), typeof(MemoryLearned)], decision.Events.Select(e => e.GetType()));
        Assert.Equal(MemoryTypes.Preference, ((MemoryRetracted)decision.Events[1]).Type);
        Assert.Equal(MemoryTypes.NegativePreference, ((MemoryLearned)decision.Events[2]).Type);
    }

    [Fact]
    public void An_interest_in_a_key_does_not_retract_a_like_of_it()
    {
        // Only likes and dislikes contradict each other; other types have no opposite.
        var held = Holding(Held(MemoryTypes.Preference, "chess", "chess", 0.9));

        var decision = Decide(held, new ExtractedMemory(MemoryTypes.Interest, "chess", "chess", 0.8));

        Assert.IsType<MemoryLearned>(Assert.Single(decision.Events));
    }

    [Fact]
    public void A_new_value_of_personal_info_replaces_the_old_one_instead_of_reinforcing_it()
    {
        var held = Holding(Held(MemoryTypes.PersonalInfo, PersonalInfoKeys.Location, "Lisbon", 0.95));

        var decision = Decide(held, new ExtractedMemory(MemoryTypes.PersonalInfo, PersonalInfoKeys.Location, "Porto", 0.9, "place"));

        var replaced = Assert.IsType<MemoryReplaced>(Assert.Single(decision.Events));
        // It starts over with the new statement's own confidence, not a reinforced one.
        Assert.Equal(new MemoryReplaced(User, MemoryTypes.PersonalInfo, PersonalInfoKeys.Location, "Porto", 0.9, TurnId, Now, "place", Version), replaced);
        Assert.Equal(("Porto", 0.9), (Assert.Single(decision.Learned).Value, decision.Learned[0].Confidence));
    }

    [Fact]
    public void The_same_personal_info_in_other_letter_case_reinforces_it()
    {
        var held = Holding(Held(MemoryTypes.PersonalInfo, PersonalInfoKeys.Name, "ana", 0.9));

        var decision = Decide(held, new ExtractedMemory(MemoryTypes.PersonalInfo, PersonalInfoKeys.Name, "Ana", 0.9));

        var reinforced = Assert.IsType<MemoryReinforced>(Assert.Single(decision.Events));
        Assert.Equal(("Ana", MemoryLearning.Reinforce(0.9, 0.9)), (reinforced.Value, reinforced.Confidence));
    }

    [Fact]
    public void A_memory_the_user_erased_is_learned_anew_when_they_say_it_again()
    {
        // There is no rule against re-learning: an erased memory is simply no longer held, so a new statement of
        // it starts from its own confidence, not from what the erased one had gathered.
        var decision = Decide(Nothing, new ExtractedMemory(MemoryTypes.Preference, "cat", "cats", 0.7));

        Assert.Equal(0.7, Assert.IsType<MemoryLearned>(Assert.Single(decision.Events)).Confidence);
    }

    [Fact]
    public void A_turn_that_says_nothing_memorable_decides_nothing()
    {
        var decision = Decide(Holding(Held(MemoryTypes.Preference, "cat", "cats", 0.9)));

        Assert.Empty(decision.Events);
        Assert.Empty(decision.Learned);
    }

    [Fact]
    public void The_same_inputs_give_the_same_events()
    {
        var held = Holding(Held(MemoryTypes.Preference, "jazz", "jazz", 0.9), Held(MemoryTypes.PersonalInfo, PersonalInfoKeys.Name, "Ana", 0.9));
        ExtractedMemory[] said =
        [
            new(MemoryTypes.NegativePreference, "jazz", "jazz", 0.9), new(MemoryTypes.PersonalInfo, PersonalInfoKeys.Name, "Bea", 0.9),
            new(MemoryTypes.Interest, "go", "go", 0.6)
        ];

        Assert.Equal(Decide(held, said).Events, Decide(held, said).Events);
    }
}
