using System.Text.Json.Serialization;

namespace CrossLearn.Features.Privacy;

// Strict on read: a stored body with a member this version does not know (a newer version's field, a
// "schemaVersion") or without one it needs does not deserialize, so the daemon dead-letters and skips it instead of
// applying it with defaults (docs/reliability.md, poison events).

/// <summary>
/// The marker an erasure leaves for the cross-user consumers, on the erasure's own stream: the pattern projection
/// subtracts the user from every global count when it reaches it, the live feed drops the user's notifications.
/// It is the last place the user id is kept: <see cref="ErasureCompletion"/> deletes it once both have passed it.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UserErasureStarted(
    [property: JsonRequired] string UserId);

/// <summary>
/// The erasure itself, on the erasure's own stream. Holds no personal data: not the user id, not what they wrote.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record UserErased(
    [property: JsonRequired] Guid ErasureId,
    [property: JsonRequired] string RequestedByRole,
    [property: JsonRequired] int EventsRemoved,
    [property: JsonRequired] int PatternsTouched,
    [property: JsonRequired] DateTimeOffset ErasedAt);

/// <summary>Every erasure has a stream of its own, so parallel erasures never contend for one stream's version.</summary>
public static class ErasureStream
{
    public const string Prefix = Hosting.UserIds.ReservedPrefix + "erasure:";

    public static string For(Guid erasureId) => Prefix + erasureId.ToString("N");

    public static bool IsErasure(string? streamKey) => streamKey?.StartsWith(Prefix, StringComparison.Ordinal) == true;
}
