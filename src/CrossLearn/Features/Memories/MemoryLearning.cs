namespace CrossLearn.Features.Memories;

/// <summary>
/// Decides what a turn teaches, given what the user already holds. Pure: the same inputs give the same events.
/// </summary>
public static class MemoryLearning
{
    /// <summary>The memory as it stands after the turn, as returned to the chat app.</summary>
    public sealed record Learned(string Type, string Key, string Value, double Confidence, string? Category = null);

    public sealed record Decision(IReadOnlyList<object> Events, IReadOnlyList<Learned> Learned);

    /// <summary>What a decision needs to know of a memory the user holds.</summary>
    public sealed record Held(string Type, string Key, string Value, double Confidence)
    {
        public static Held Of(Memory m) => new(m.Type, m.Key, m.Value, m.Confidence);
    }

    /// <summary>
    /// Saying a thing again moves confidence toward 1: each repetition closes half of the remaining gap,
    /// scaled by how sure the new statement is.
    /// </summary>
    public static double Reinforce(double held, double said) => Math.Round(1 - (1 - held) * (1 - 0.5 * said), 4);

    /// <param name="extractorVersion">The version of the rules that produced <paramref name="extracted"/>: recorded on every event.</param>
    public static Decision Decide(
        string userId, Guid turnId, IReadOnlyList<ExtractedMemory> extracted,
        IEnumerable<Held> held, DateTimeOffset now, string extractorVersion)
    {
        var events = new List<object>();
        var learned = new List<Learned>();
        var current = held.ToDictionary(m => (m.Type, m.Key), m => (m.Value, m.Confidence));

        foreach (var memory in extracted)
        {
            var slot = (memory.Type, memory.Key);

            // A negative about a key retracts the positive one, and the reverse.
            if (Opposite(memory.Type) is { } opposite && current.Remove((opposite, memory.Key)))
                events.Add(new MemoryRetracted(userId, opposite, memory.Key, RetractionReasons.Contradicted, turnId, now));

            if (current.TryGetValue(slot, out var existing))
            {
                // Personal info is a single slot: a new value replaces the old one rather than reinforcing it.
                if (memory.Type == MemoryTypes.PersonalInfo && !string.Equals(existing.Value, memory.Value, StringComparison.OrdinalIgnoreCase))
                {
                    events.Add(new MemoryReplaced(userId, memory.Type, memory.Key, memory.Value, memory.Confidence, turnId, now, memory.Category, extractorVersion));
                    current[slot] = (memory.Value, memory.Confidence);
                    learned.Add(new Learned(memory.Type, memory.Key, memory.Value, memory.Confidence, memory.Category));
                    continue;
                }

                var confidence = Reinforce(existing.Confidence, memory.Confidence);
                events.Add(new MemoryReinforced(userId, memory.Type, memory.Key, memory.Value, confidence, turnId, now, memory.Category, extractorVersion));
                current[slot] = (memory.Value, confidence);
                learned.Add(new Learned(memory.Type, memory.Key, memory.Value, confidence, memory.Category));
            }
            else
            {
                events.Add(new MemoryLearned(userId, memory.Type, memory.Key, memory.Value, memory.Confidence, turnId, now, memory.Category, extractorVersion));
                current[slot] = (memory.Value, memory.Confidence);
                learned.Add(new Learned(memory.Type, memory.Key, memory.Value, memory.Confidence, memory.Category));
            }
        }

        return new Decision(events, learned);
    }

    private static string? Opposite(string type) => type switch
    {
        MemoryTypes.Preference => MemoryTypes.NegativePreference,
        MemoryTypes.NegativePreference => MemoryTypes.Preference,
        _ => null
    };
}
