using CrossLearn.Features.Memories;

namespace CrossLearn.Features.Turns;

/// <summary>
/// A conversation turn was recorded, with what was learned from it. The first event of every user's stream
/// (stream key = user id).
/// </summary>
public sealed record TurnRecorded(
    string UserId, Guid TurnId, string ConversationId, string UserMessage, string AiResponse,
    DateTimeOffset RecordedAt, IReadOnlyList<MemoryLearning.Learned> Learned);

/// <summary>
/// The turn was rated. <see cref="PreviousSuccess"/> holds the rating this one replaces, so projections can
/// undo it without reading anything else.
/// </summary>
public sealed record FeedbackGiven(string UserId, Guid TurnId, bool Success, bool? PreviousSuccess, DateTimeOffset GivenAt);
