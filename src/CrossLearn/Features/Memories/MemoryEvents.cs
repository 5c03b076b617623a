using System.Text.Json.Serialization;

namespace CrossLearn.Features.Memories;

// Appended to the user's stream (stream key = user id). Each event carries its own time so that a rebuild
// gives exactly the same read models.
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
    [property: JsonRequired] DateTimeOffset LearnedAt);

/// <summary>The user said again something already held: confidence and times seen grow.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MemoryReinforced(
    [property: JsonRequired] string UserId,
    [property: JsonRequired] string Type,
    [property: JsonRequired] string Key,
    [property: JsonRequired] string Value,
    [property: JsonRequired] double Confidence,
    [property: JsonRequired] Guid TurnId,
    [property: JsonRequired] DateTimeOffset SeenAt);

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
    [property: JsonRequired] DateTimeOffset ReplacedAt);

/// <summary>A memory stopped being held: the user erased it, or contradicted it in a later turn.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record MemoryRetracted(
    [property: JsonRequired] string UserId,
    [property: JsonRequired] string Type,
    [property: JsonRequired] string Key,
    [property: JsonRequired] string Reason,
    Guid? TurnId,
    [property: JsonRequired] DateTimeOffset RetractedAt);

public static class RetractionReasons
{
    public const string ErasedByUser = "erased_by_user";
    public const string Contradicted = "contradicted";
}
