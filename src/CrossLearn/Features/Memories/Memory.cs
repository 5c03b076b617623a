using CrossLearn.Platform.Storage;
using JasperFx.Events;
using Marten.Events.Projections;


namespace CrossLearn.Features.Memories;

/// <summary>One active memory of one user: the "memories" read model. Retracted memories are deleted.</summary>
public sealed class Memory
{
    /// <summary>How many source turn ids a memory keeps (the most recent ones).</summary>
    public const int MaxSourceTurns = 100;

    public string Id { get; set; } = "";
    public string UserId { get; set; } = "";
    public string Type { get; set; } = "";
    public string Key { get; set; } = "";
    public string Value { get; set; } = "";
    /// <summary>What kind of thing the key is (food, pet, language, ...; docs/extraction.md); null for memories learned before categories.</summary>
    public string? Category { get; set; }
    /// <summary>The extractor version whose rules last produced this memory (null before versions were recorded).</summary>
    public string? ExtractorVersion { get; set; }
    public double Confidence { get; set; }
    public int TimesSeen { get; set; }
    public DateTimeOffset FirstLearnedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public List<Guid> SourceTurnIds { get; set; } = [];
    /// <summary>
    /// The user's stream version when this memory last changed: the version a context names it by. Not "Version":
    /// Marten takes a document property of that name for its own revision counter.
    /// </summary>
    public long ChangedAtVersion { get; set; }

    // A unit separator cannot appear in a normalised key or a memory type, so ids never collide.
    public static string IdFor(string userId, string type, string key) => $"{userId}\u001f{type}\u001f{key}";
}

/// <summary>
/// Inline: a user's memories are readable as soon as their turn is acknowledged. Written as one Evolve step per
/// event so that a retraction (delete) followed by the same memory learned again in one batch, as a rebuild or
/// a replay applies them, leaves the memory, exactly as applying the events one turn at a time does.
/// </summary>
public sealed partial class MemoryProjection : MultiStreamProjection<Memory, string>
{
    public MemoryProjection()
    {
        Identity<MemoryLearned>(e => Memory.IdFor(e.UserId, e.Type, e.Key));
        Identity<MemoryReinforced>(e => Memory.IdFor(e.UserId, e.Type, e.Key));
        Identity<MemoryReplaced>(e => Memory.IdFor(e.UserId, e.Type, e.Key));
        Identity<MemoryRetracted>(e => Memory.IdFor(e.UserId, e.Type, e.Key));
        // A moved memory ends under its old key and begins under its new one.
        Identities<MemoryRekeyed>(e => [Memory.IdFor(e.UserId, e.Type, e.OldKey), Memory.IdFor(e.UserId, e.Type, e.NewKey)]);
    }

    /// <summary>A user's memories as they stand after <paramref name="history"/> (their stream, in order), folded in memory.</summary>
    public static Dictionary<(string Type, string Key), Memory> Fold(IEnumerable<IEvent> history)
    {
        var projection = new MemoryProjection();
        var memories = new Dictionary<string, Memory>();
        foreach (var e in history)
        foreach (var id in IdsOf(e.Data))
        {
            if (projection.Evolve(memories.GetValueOrDefault(id), id, e) is { } memory) memories[id] = memory;
            else memories.Remove(id);
        }

        return memories.Values.ToDictionary(m => (m.Type, m.Key));
    }

    /// <summary>The memories an event is about (two for a move), none for other events.</summary>
    public static IReadOnlyList<string> IdsOf(object data) =>
        data is IMemoryFacts { UserId: { } userId } m ? [.. m.Keys.Select(key => Memory.IdFor(userId, m.Type, key))] : [];

    /// <summary>
    /// Null deletes the document: a retracted memory is not kept. An event of a shape this version does not know
    /// (e.g. one naming another user than its stream's) is refused: inline, the whole write fails and nothing of it
    /// is stored; in a rebuild, the daemon dead-letters it and goes on.
    /// </summary>
    public override Memory? Evolve(Memory? snapshot, string id, IEvent e)
    {
        var memory = Changed(snapshot, id, e);
        if (memory != null && e.Data is IMemoryFacts) memory.ChangedAtVersion = e.Version;
        return memory;
    }

    private static Memory? Changed(Memory? snapshot, string id, IEvent e) => e.Data switch
    {
        _ when EventShapes.Rejection(e) is { } rejection => throw rejection,
        MemoryLearned learned => Learn(learned),
        MemoryReplaced replaced when snapshot != null => Replace(replaced, snapshot),
        MemoryReinforced reinforced when snapshot != null => Reinforce(reinforced, snapshot),
        MemoryRetracted => null,
        MemoryRekeyed rekeyed => id == Memory.IdFor(rekeyed.UserId, rekeyed.Type, rekeyed.NewKey) ? Moved(rekeyed) : null,
        _ => snapshot
    };

    private static Memory Moved(MemoryRekeyed e) => new()
    {
        Id = Memory.IdFor(e.UserId, e.Type, e.NewKey),
        UserId = e.UserId,
        Type = e.Type,
        Key = e.NewKey,
        Value = e.Value,
        Category = e.Category,
        ExtractorVersion = e.ExtractorVersion,
        Confidence = e.Confidence,
        TimesSeen = e.TimesSeen,
        FirstLearnedAt = e.FirstLearnedAt,
        LastSeenAt = e.RekeyedAt,
        SourceTurnIds = [.. e.SourceTurnIds]
    };

    internal static Memory Learn(MemoryLearned e) => new()
    {
        Id = Memory.IdFor(e.UserId, e.Type, e.Key),
        UserId = e.UserId,
        Type = e.Type,
        Key = e.Key,
        Value = e.Value,
        Category = e.Category,
        ExtractorVersion = e.ExtractorVersion,
        Confidence = e.Confidence,
        TimesSeen = 1,
        FirstLearnedAt = e.LearnedAt,
        LastSeenAt = e.LearnedAt,
        SourceTurnIds = [e.TurnId]
    };

    internal static Memory Replace(MemoryReplaced e, Memory memory)
    {
        memory.Value = e.Value;
        memory.Category = e.Category ?? memory.Category;
        memory.ExtractorVersion = e.ExtractorVersion ?? memory.ExtractorVersion;
        memory.Confidence = e.Confidence;
        memory.TimesSeen = 1;
        memory.FirstLearnedAt = e.ReplacedAt;
        memory.LastSeenAt = e.ReplacedAt;
        memory.SourceTurnIds = [e.TurnId];
        return memory;
    }

    internal static Memory Reinforce(MemoryReinforced e, Memory memory)
    {
        memory.Value = e.Value;
        memory.Category = e.Category ?? memory.Category;
        memory.ExtractorVersion = e.ExtractorVersion ?? memory.ExtractorVersion;
        memory.Confidence = e.Confidence;
        memory.TimesSeen++;
        memory.LastSeenAt = e.SeenAt;
        if (!memory.SourceTurnIds.Contains(e.TurnId)) memory.SourceTurnIds.Add(e.TurnId);
        if (memory.SourceTurnIds.Count > Memory.MaxSourceTurns) memory.SourceTurnIds.RemoveAt(0);
        return memory;
    }
}
