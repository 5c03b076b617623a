using System.Text.Json.Serialization;

namespace CrossLearn.Features.Memories;

// Appended to the user's stream (stream key = user id). Each event carries its own time so that a rebuild
// gives exactly the same read models.
// Category and ExtractorVersion came later (the same memory in other words meets on one canonical key; a
// re-extraction needs to know which rules produced a memory): older events have neither and read as null.
// Strict on read: a stored body with a member this version does not know (a newer version's field, a
// "schemaVersion") or without one it needs does not deserialize, so the daemon dead-letters and skips it instead of
// applying it with defaults (docs/reliability.md, poison events).

/// <summary>A memory the user did not hold before was learned from one of their turns.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MemoryLearned(
    [property: JsonRequired] string UserId,
    [property: JsonRequired] string Type,
    [property: JsonRequired] string Key,
    [property: JsonRequired] string Value,
    [property: JsonRequired] double Confidence,
    [property: JsonRequired] Guid TurnId,
    [property: JsonRequired] DateTimeOffset LearnedAt,
    string? Category = null,
    string? ExtractorVersion = null);

/// <summary>The user said again something already held: confidence and times seen grow.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MemoryReinforced(
    [property: JsonRequired] string UserId,
    [property: JsonRequired] string Type,
    [property: JsonRequired] string Key,
    [property: JsonRequired] string Value,
    [property: JsonRequired] double Confidence,
    [property: JsonRequired] Guid TurnId,
    [property: JsonRequired] DateTimeOffset SeenAt,
    string? Category = null,
    string? ExtractorVersion = null);

/// <summary>
/// A single-valued memory (personal info such as a name) got a new value; it starts over from this turn.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MemoryReplaced(
    [property: JsonRequired] string UserId,
    [property: JsonRequired] string Type,
    [property: JsonRequired] string Key,
    [property: JsonRequired] string Value,
    [property: JsonRequired] double Confidence,
    [property: JsonRequired] Guid TurnId,
    [property: JsonRequired] DateTimeOffset ReplacedAt,
    string? Category = null,
    string? ExtractorVersion = null);

/// <summary>A memory stopped being held: the user erased it, or contradicted it in a later turn.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MemoryRetracted(
    [property: JsonRequired] string UserId,
    [property: JsonRequired] string Type,
    [property: JsonRequired] string Key,
    [property: JsonRequired] string Reason,
    Guid? TurnId,
    [property: JsonRequired] DateTimeOffset RetractedAt,
    string? ExtractorVersion = null);

/// <summary>
/// Re-extraction found that newer rules put a memory under another key ("cats" -> "cat"): the same memory, moved.
/// Carries what the memory had gathered so that the moved memory keeps its history.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MemoryRekeyed(
    [property: JsonRequired] string UserId,
    [property: JsonRequired] string Type,
    [property: JsonRequired] string OldKey,
    [property: JsonRequired] string NewKey,
    [property: JsonRequired] string Value,
    [property: JsonRequired] double Confidence,
    string? Category,
    [property: JsonRequired] string ExtractorVersion,
    [property: JsonRequired] int TimesSeen,
    [property: JsonRequired] DateTimeOffset FirstLearnedAt,
    [property: JsonRequired] IReadOnlyList<Guid> SourceTurnIds,
    [property: JsonRequired] DateTimeOffset RekeyedAt);

public static class RetractionReasons
{
    public const string ErasedByUser = "erased_by_user";
    public const string Contradicted = "contradicted";
    /// <summary>Newer rules no longer read this memory in any of the user's turns.</summary>
    public const string Reextracted = "reextracted";
}
