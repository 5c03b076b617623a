using System.Text.Json.Serialization;
using CrossLearn.Features.Memories;

namespace CrossLearn.Features.Turns;

// Strict on read: a stored body with a member this version does not know (a newer version's field, a
// "schemaVersion") or without one it needs does not deserialize, so the daemon dead-letters and skips it instead of
// applying it with defaults (docs/reliability.md, poison events).

/// <summary>
/// A conversation turn was recorded, with what was learned from it. The first event of every user's stream
/// (stream key = user id).
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TurnRecorded(
    [property: JsonRequired] string UserId,
    [property: JsonRequired] Guid TurnId,
    [property: JsonRequired] string ConversationId,
    [property: JsonRequired] string UserMessage,
    [property: JsonRequired] string AiResponse,
    [property: JsonRequired] DateTimeOffset RecordedAt,
    [property: JsonRequired] IReadOnlyList<MemoryLearning.Learned> Learned);

/// <summary>
/// The turn was rated. <see cref="PreviousSuccess"/> holds the rating this one replaces, so projections can
/// undo it without reading anything else.
/// </summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record FeedbackGiven(
    [property: JsonRequired] string UserId,
    [property: JsonRequired] Guid TurnId,
    [property: JsonRequired] bool Success,
    bool? PreviousSuccess,
    [property: JsonRequired] DateTimeOffset GivenAt);
