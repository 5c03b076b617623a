using CrossLearn.Features.Memories;
using CrossLearn.Hosting;

namespace CrossLearn.Features.Turns;

// Read strictly (Hosting/StrictEventReading.cs): a parameter without a default is needed.

/// <summary>
/// A conversation turn was recorded, with what was learned from it. The first event of every user's stream
/// (stream key = user id).
/// </summary>
public sealed record TurnRecorded(
    string UserId,
    Guid TurnId,
    string ConversationId,
    string UserMessage,
    string AiResponse,
    DateTimeOffset RecordedAt,
    IReadOnlyList<MemoryLearning.Learned> Learned) : IEventFacts;

/// <summary>
/// The turn was rated. <see cref="PreviousSuccess"/> holds the rating this one replaces, so projections can
/// undo it without reading anything else.
/// </summary>
public sealed record FeedbackGiven(
    string UserId,
    Guid TurnId,
    bool Success,
    bool? PreviousSuccess,
    DateTimeOffset GivenAt) : IEventFacts;
