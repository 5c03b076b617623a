using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;

namespace CrossLearn.Features.Memories;

// Appended to the user's stream (stream key = user id). Each event carries its own time so that a rebuild
// gives exactly the same read models.
// Category and ExtractorVersion came later (the same memory in other words meets on one canonical key; a
// re-extraction needs to know which rules produced a memory): older events have neither and read as null.
// Read strictly (Platform/Storage/StrictEventReading.cs): a parameter without a default is needed.

/// <summary>An event about memories of one user: which type, under which keys (two for a move).</summary>
public interface IMemoryFacts : IEventFacts
{
    string Type { get; }
    IReadOnlyList<string> Keys { get; }
}

/// <summary>A memory the user did not hold before was learned from one of their turns.</summary>
public sealed record MemoryLearned(
    string UserId,
    string Type,
    string Key,
    string Value,
    double Confidence,
    Guid TurnId,
    DateTimeOffset LearnedAt,
    string? Category = null,
    string? ExtractorVersion = null) : IMemoryFacts
{
    IReadOnlyList<string> IMemoryFacts.Keys => [Key];

    string? IEventFacts.ShapeProblem(string? streamKey) => MemoryShapes.Of(streamKey, UserId, Type, Key, Value, Confidence, TurnId);
}

/// <summary>The user said again something already held: confidence and times seen grow.</summary>
public sealed record MemoryReinforced(
    string UserId,
    string Type,
    string Key,
    string Value,
    double Confidence,
    Guid TurnId,
    DateTimeOffset SeenAt,
    string? Category = null,
    string? ExtractorVersion = null) : IMemoryFacts
{
    IReadOnlyList<string> IMemoryFacts.Keys => [Key];

    string? IEventFacts.ShapeProblem(string? streamKey) => MemoryShapes.Of(streamKey, UserId, Type, Key, Value, Confidence, TurnId);
}

/// <summary>
/// A single-valued memory (personal info such as a name) got a new value; it starts over from this turn.
/// </summary>
public sealed record MemoryReplaced(
    string UserId,
    string Type,
    string Key,
    string Value,
    double Confidence,
    Guid TurnId,
    DateTimeOffset ReplacedAt,
    string? Category = null,
    string? ExtractorVersion = null) : IMemoryFacts
{
    IReadOnlyList<string> IMemoryFacts.Keys => [Key];

    string? IEventFacts.ShapeProblem(string? streamKey) => MemoryShapes.Of(streamKey, UserId, Type, Key, Value, Confidence, TurnId);
}

/// <summary>A memory stopped being held: the user erased it, or contradicted it in a later turn.</summary>
public sealed record MemoryRetracted(
    string UserId,
    string Type,
    string Key,
    string Reason,
    Guid? TurnId,
    DateTimeOffset RetractedAt,
    string? ExtractorVersion = null) : IMemoryFacts
{
    IReadOnlyList<string> IMemoryFacts.Keys => [Key];

    string? IEventFacts.ShapeProblem(string? streamKey) =>
        EventShapes.Owner(streamKey, UserId) ?? MemoryShapes.Slot(Type, Key) ?? (Reason == null ? "no reason" : null);
}

/// <summary>
/// Re-extraction found that newer rules put a memory under another key ("cats" -> "cat"): the same memory, moved.
/// Carries what the memory had gathered so that the moved memory keeps its history.
/// </summary>
public sealed record MemoryRekeyed(
    string UserId,
    string Type,
    string OldKey,
    string NewKey,
    string Value,
    double Confidence,
    string? Category,
    string ExtractorVersion,
    int TimesSeen,
    DateTimeOffset FirstLearnedAt,
    IReadOnlyList<Guid> SourceTurnIds,
    DateTimeOffset RekeyedAt) : IMemoryFacts
{
    IReadOnlyList<string> IMemoryFacts.Keys => [OldKey, NewKey];

    string? IEventFacts.ShapeProblem(string? streamKey) =>
        MemoryShapes.Of(streamKey, UserId, Type, OldKey, Value, Confidence, SourceTurnIds?.LastOrDefault() ?? Guid.Empty)
        ?? (string.IsNullOrEmpty(NewKey) ? "no new key" : null);
}

public static class RetractionReasons
{
    public const string ErasedByUser = "erased_by_user";
    public const string Contradicted = "contradicted";
    /// <summary>Newer rules no longer read this memory in any of the user's turns.</summary>
    public const string Reextracted = "reextracted";
}

/// <summary>What every memory event needs before a projection applies it (<see cref="IEventFacts.ShapeProblem"/>).</summary>
public static class MemoryShapes
{
    public static string? Of(string? streamKey, string? userId, string? type, string? key, string? value, double confidence, Guid turnId) =>
        EventShapes.Owner(streamKey, userId) ?? Slot(type, key)
        ?? (value == null ? "no value" : null)
        ?? (confidence is < 0 or > 1 || double.IsNaN(confidence) ? "a confidence outside 0..1" : null)
        ?? EventShapes.Present(turnId, "turn id");

    /// <summary>A memory type this version knows and a key.</summary>
    public static string? Slot(string? type, string? key) =>
        string.IsNullOrEmpty(type) || string.IsNullOrEmpty(key) ? "no memory type or key"
        : !MemoryTypes.All.Contains(type) ? "an unknown memory type" : null;
}
