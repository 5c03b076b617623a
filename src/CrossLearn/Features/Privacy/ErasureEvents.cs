using System.Text.Json.Serialization;

namespace CrossLearn.Features.Privacy;

// Strict on read: a stored body with a member this version does not know (a newer version's field, a
// "schemaVersion") or without one it needs does not deserialize, so the daemon dead-letters and skips it instead of
// applying it with defaults (docs/reliability.md, poison events).

/// <summary>
/// Appended to the user's own stream when their erasure begins, so the pattern projection subtracts the user
/// from every global count. It is deleted with the rest of the stream moments later.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UserErasureStarted(
    [property: JsonRequired] string UserId);

/// <summary>
/// The erasure itself, on the erasures stream. Holds no personal data: not the user id, not what they wrote.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UserErased(
    [property: JsonRequired] Guid ErasureId,
    [property: JsonRequired] string RequestedByRole,
    [property: JsonRequired] int EventsRemoved,
    [property: JsonRequired] int PatternsTouched,
    [property: JsonRequired] DateTimeOffset ErasedAt);

public static class ErasureStream
{
    public const string Key = "crosslearn:erasures";
}
