using CrossLearn.Features.Context;
using CrossLearn.Features.Memories;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;

namespace CrossLearn.Features.Turns;

// Read strictly (Platform/Storage/StrictEventReading.cs): a parameter without a default is needed.

/// <summary>
/// A conversation turn was recorded, with what was learned from it. The first event of every user's stream
/// (stream key = user id). <see cref="Context"/>: what the answer was given with, when the chat app sent its contextId.
/// </summary>
public sealed record TurnRecorded(
    string UserId,
    Guid TurnId,
    string ConversationId,
    string UserMessage,
    string AiResponse,
    DateTimeOffset RecordedAt,
    IReadOnlyList<MemoryLearning.Learned> Learned,
    GivenContext? Context = null) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) =>
        EventShapes.Owner(streamKey, UserId) ?? EventShapes.Present(TurnId, "turn id")
        ?? (ConversationId == null || UserMessage == null || AiResponse == null || Learned == null ? "a missing field" : null);
}

/// <summary>
/// The turn was rated. <see cref="PreviousSuccess"/> holds the rating this one replaces, and <see cref="Trials"/> the
/// turn's exposures under experiments (with their arms), so projections can count and undo it without reading anything else.
/// </summary>
public sealed record FeedbackGiven(
    string UserId,
    Guid TurnId,
    bool Success,
    bool? PreviousSuccess,
    DateTimeOffset GivenAt,
    IReadOnlyList<Exposure>? Trials = null) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) => EventShapes.Owner(streamKey, UserId) ?? EventShapes.Present(TurnId, "turn id");
}

/// <summary>The context an answer was given with (its exposures): when it was issued, and its items at their versions.</summary>
public sealed record GivenContext(DateTimeOffset IssuedAt, IReadOnlyList<Exposure> Items);
