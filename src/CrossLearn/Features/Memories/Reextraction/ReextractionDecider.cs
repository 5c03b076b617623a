using CrossLearn.Features.Turns;

namespace CrossLearn.Features.Memories.Reextraction;

/// <summary>
/// What newer rules would have learned from one user's history, as the events that take the user's memories there
/// from where they stand. Pure: the user's events in order, the extractor, the memories held now and the time in;
/// events out. Replaying changes nothing once it has been applied (a second run decides nothing).
/// </summary>
public static class ReextractionDecider
{
    public static IReadOnlyList<object> Decide(
        string userId, IReadOnlyList<object> history, Func<string, IReadOnlyList<ExtractedMemory>> extract,
        IReadOnlyDictionary<(string Type, string Key), Memory> held, DateTimeOffset now, string extractorVersion)
    {
        var replayed = new Dictionary<(string Type, string Key), Memory>();
        // Which turns said each key, in the new rules' words (replay) and in the old ones' (recorded events).
        var saidBy = new Dictionary<(string Type, string Key), HashSet<Guid>>();
        var recordedFrom = new Dictionary<(string Type, string Key), HashSet<Guid>>();

        foreach (var e in history)
        {
            switch (e)
            {
                case TurnRecorded turn:
                {
                    var extracted = extract(turn.UserMessage);
                    var decision = MemoryLearning.Decide(userId, turn.TurnId, extracted, replayed.Values.Select(MemoryLearning.Held.Of), turn.RecordedAt, extractorVersion);
                    foreach (var change in decision.Events) Apply(replayed, change);
                    foreach (var memory in extracted) SetOf(saidBy, (memory.Type, memory.Key)).Add(turn.TurnId);
                    break;
                }
                case MemoryLearned m: SetOf(recordedFrom, (m.Type, m.Key)).Add(m.TurnId); break;
                case MemoryReinforced m: SetOf(recordedFrom, (m.Type, m.Key)).Add(m.TurnId); break;
                case MemoryReplaced m: SetOf(recordedFrom, (m.Type, m.Key)).Add(m.TurnId); break;
                case MemoryRekeyed m: SetOf(recordedFrom, (m.Type, m.NewKey)).UnionWith(m.SourceTurnIds); break;
                // What the user erased stays erased: whatever the new rules read in the turns behind it goes too
                // (until the user says it again in a later turn).
                case MemoryRetracted { Reason: RetractionReasons.ErasedByUser } r:
                {
                    var turns = recordedFrom.GetValueOrDefault((r.Type, r.Key)) ?? [];
                    foreach (var slot in replayed.Keys.Where(k => k.Type == r.Type
                                 && (k.Key == r.Key || (saidBy.TryGetValue(k, out var by) && by.Overlaps(turns)))).ToList())
                        replayed.Remove(slot);
                    break;
                }
            }
        }

        return Differences(userId, replayed, held, saidBy, recordedFrom, now, extractorVersion);
    }

    private static List<object> Differences(
        string userId, Dictionary<(string Type, string Key), Memory> replayed, IReadOnlyDictionary<(string Type, string Key), Memory> held,
        Dictionary<(string Type, string Key), HashSet<Guid>> saidBy, Dictionary<(string Type, string Key), HashSet<Guid>> recordedFrom,
        DateTimeOffset now, string version)
    {
        var events = new List<object>();
        var newOnes = replayed.Keys.Where(k => !held.ContainsKey(k)).ToHashSet();
        foreach (var (slot, memory) in held.OrderBy(h => h.Key.Type, StringComparer.Ordinal).ThenBy(h => h.Key.Key, StringComparer.Ordinal))
        {
            if (replayed.ContainsKey(slot)) continue;
            // The same turns now read another key: the memory moves (its holder moves to the new pattern).
            var turns = recordedFrom.GetValueOrDefault(slot) ?? [.. memory.SourceTurnIds];
            var target = newOnes.Where(k => k.Type == slot.Type && saidBy.TryGetValue(k, out var by) && by.Overlaps(turns))
                .OrderByDescending(k => saidBy[k].Intersect(turns).Count()).ThenBy(k => k.Key, StringComparer.Ordinal)
                .Select(k => ((string, string)?)k).FirstOrDefault();
            if (target is { } to)
            {
                newOnes.Remove(to);
                var moved = replayed[to];
                // As the replay has it (every turn that says it now), since the first time either way said it.
                var since = memory.FirstLearnedAt < moved.FirstLearnedAt ? memory.FirstLearnedAt : moved.FirstLearnedAt;
                events.Add(new MemoryRekeyed(userId, slot.Type, slot.Key, to.Item2, moved.Value, moved.Confidence, moved.Category, version,
                    moved.TimesSeen, since, [.. moved.SourceTurnIds], now));
            }
            else
            {
                events.Add(new MemoryRetracted(userId, slot.Type, slot.Key, RetractionReasons.Reextracted, null, now, version));
            }
        }

        foreach (var slot in newOnes.OrderBy(k => k.Type, StringComparer.Ordinal).ThenBy(k => k.Key, StringComparer.Ordinal))
        {
            var memory = replayed[slot];
            events.Add(new MemoryLearned(userId, slot.Type, slot.Key, memory.Value, memory.Confidence, memory.SourceTurnIds[^1], now,
                memory.Category, version));
        }

        return events;
    }

    /// <summary>The replay folds the decider's events the way the memory projection does.</summary>
    private static void Apply(Dictionary<(string Type, string Key), Memory> memories, object change)
    {
        switch (change)
        {
            case MemoryLearned e: memories[(e.Type, e.Key)] = MemoryProjection.Learn(e); break;
            case MemoryReinforced e when memories.TryGetValue((e.Type, e.Key), out var memory): MemoryProjection.Reinforce(e, memory); break;
            case MemoryReplaced e when memories.TryGetValue((e.Type, e.Key), out var memory): MemoryProjection.Replace(e, memory); break;
            case MemoryRetracted e: memories.Remove((e.Type, e.Key)); break;
        }
    }

    private static HashSet<Guid> SetOf(Dictionary<(string Type, string Key), HashSet<Guid>> map, (string Type, string Key) slot)
    {
        if (!map.TryGetValue(slot, out var set)) map[slot] = set = [];
        return set;
    }
}
