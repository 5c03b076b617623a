using CrossLearn.Features.Memories;
using CrossLearn.Features.Memories.Reextraction;
using CrossLearn.Features.Turns;

namespace CrossLearn.Tests.Reextraction;

/// <summary>The re-extraction decider without a database: a user's history and an extractor in, events out.</summary>
public sealed class ReextractionDeciderTests
{
    private const string User = "ana";
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    // Old rules kept the user's words; new rules make "cats" and "my cat" one key.
    private static IReadOnlyList<ExtractedMemory> NewRules(string message) => message switch
    {
        "I love cats" or "I love my cat" => [new ExtractedMemory(MemoryTypes.Preference, "cat", message[7..], 0.9, "animal")],
        "I hate jazz" => [new ExtractedMemory(MemoryTypes.NegativePreference, "jazz", "jazz", 0.9, "music")],
        _ => []
    };

    private static TurnRecorded Turn(Guid id, string message, int minute) =>
        new(User, id, "c1", message, "Noted.", Now.AddMinutes(minute - 100), []);

    private static MemoryLearned Learned(Guid turn, string key, int minute) =>
        new(User, MemoryTypes.Preference, key, key, 0.9, turn, Now.AddMinutes(minute - 100));

    private static Memory Held(string key, params Guid[] turns) => new()
    {
        UserId = User, Type = MemoryTypes.Preference, Key = key, Value = key, Confidence = 0.9, TimesSeen = turns.Length,
        FirstLearnedAt = Now.AddHours(-2), LastSeenAt = Now.AddHours(-1), SourceTurnIds = [.. turns]
    };

    [Fact]
    public void A_memory_whose_key_the_new_rules_spell_otherwise_moves_with_its_history()
    {
        var (t1, t2) = (Guid.NewGuid(), Guid.NewGuid());
        object[] history = [Turn(t1, "I love cats", 1), Learned(t1, "cats", 1), Turn(t2, "I love my cat", 2), Learned(t2, "my cat", 2)];
        var held = new[] { Held("cats", t1), Held("my cat", t2) }.ToDictionary(m => (m.Type, m.Key));

        var events = ReextractionDecider.Decide(User, history, NewRules, held, Now, "v2");

        // One memory moves to the new key; the other is the same memory said in other words: retracted, not doubled.
        var moved = Assert.Single(events.OfType<MemoryRekeyed>());
        Assert.Equal(("cat", "animal", "v2"), (moved.NewKey, moved.Category, moved.ExtractorVersion));
        var retracted = Assert.Single(events.OfType<MemoryRetracted>());
        Assert.Equal((RetractionReasons.Reextracted, "v2"), (retracted.Reason, retracted.ExtractorVersion));
        Assert.NotEqual(moved.OldKey, retracted.Key);
        Assert.Empty(events.OfType<MemoryLearned>());
    }

    [Fact]
    public void Nothing_is_decided_when_the_memories_already_are_what_the_rules_say()
    {
        var t1 = Guid.NewGuid();
        object[] history = [Turn(t1, "I love cats", 1), new MemoryLearned(User, MemoryTypes.Preference, "cat", "cats", 0.9, t1, Now, "animal", "v2")];
        var held = new[] { Held("cat", t1) }.ToDictionary(m => (m.Type, m.Key));
        Assert.Empty(ReextractionDecider.Decide(User, history, NewRules, held, Now, "v2"));
    }

    [Fact]
    public void What_the_user_erased_is_not_learned_again_until_they_say_it_again()
    {
        var (t1, t2) = (Guid.NewGuid(), Guid.NewGuid());
        var erased = new MemoryRetracted(User, MemoryTypes.Preference, "cats", RetractionReasons.ErasedByUser, null, Now.AddMinutes(-50));
        object[] history = [Turn(t1, "I love cats", 1), Learned(t1, "cats", 1), erased];
        Assert.Empty(ReextractionDecider.Decide(User, history, NewRules, new Dictionary<(string, string), Memory>(), Now, "v2"));

        // Said again after the erasure: learned again, under the new key.
        object[] again = [.. history, Turn(t2, "I love my cat", 60)];
        var learned = Assert.Single(ReextractionDecider.Decide(User, again, NewRules, new Dictionary<(string, string), Memory>(), Now, "v2"));
        Assert.Equal("cat", Assert.IsType<MemoryLearned>(learned).Key);
    }

    [Fact]
    public void A_memory_the_old_rules_missed_is_learned_and_one_the_new_rules_do_not_read_is_retracted()
    {
        var (t1, t2) = (Guid.NewGuid(), Guid.NewGuid());
        object[] history = [Turn(t1, "I hate jazz", 1), Turn(t2, "Hello there", 2), Learned(t2, "hello there", 2)];
        var held = new[] { Held("hello there", t2) }.ToDictionary(m => (m.Type, m.Key));

        var events = ReextractionDecider.Decide(User, history, NewRules, held, Now, "v2");
        Assert.Equal(("hello there", RetractionReasons.Reextracted), events.OfType<MemoryRetracted>().Select(r => (r.Key, r.Reason)).Single());
        var learned = events.OfType<MemoryLearned>().Single();
        Assert.Equal((MemoryTypes.NegativePreference, "jazz", t1, "v2"), (learned.Type, learned.Key, learned.TurnId, learned.ExtractorVersion));
    }
}
