using CrossLearn.Features.Memories;
using Marten.Events.Projections;

namespace CrossLearn.Features.Turns;

/// <summary>One recorded turn: what conversations show, what feedback and idempotent retries look up.</summary>
public sealed class Turn
{
    public Guid Id { get; set; }
    public string UserId { get; set; } = "";
    public string ConversationId { get; set; } = "";
    public string UserMessage { get; set; } = "";
    public string AiResponse { get; set; } = "";
    public DateTimeOffset RecordedAt { get; set; }
    public List<MemoryLearning.Learned> Learned { get; set; } = [];
    public bool? Success { get; set; }
}

public sealed partial class TurnProjection : MultiStreamProjection<Turn, Guid>
{
    public TurnProjection()
    {
        Identity<TurnRecorded>(e => e.TurnId);
        Identity<FeedbackGiven>(e => e.TurnId);
    }

    public Turn Create(TurnRecorded e) => new()
    {
        Id = e.TurnId,
        UserId = e.UserId,
        ConversationId = e.ConversationId,
        UserMessage = e.UserMessage,
        AiResponse = e.AiResponse,
        RecordedAt = e.RecordedAt,
        Learned = [.. e.Learned]
    };

    public void Apply(FeedbackGiven e, Turn turn) => turn.Success = e.Success;
}

/// <summary>A conversation's summary; its turns are the <see cref="Turn"/> documents that name it.</summary>
public sealed class Conversation
{
    public string Id { get; set; } = "";
    public string UserId { get; set; } = "";
    public string ConversationId { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset LastTurnAt { get; set; }
    public int TurnCount { get; set; }

    // Conversation ids come from clients, so two users may pick the same one: the user id keeps them apart.
    public static string IdFor(string userId, string conversationId) => $"{userId}\u001f{conversationId}";
}

public sealed partial class ConversationProjection : MultiStreamProjection<Conversation, string>
{
    public ConversationProjection()
    {
        Identity<TurnRecorded>(e => Conversation.IdFor(e.UserId, e.ConversationId));
    }

    public Conversation Create(TurnRecorded e) => new()
    {
        Id = Conversation.IdFor(e.UserId, e.ConversationId),
        UserId = e.UserId,
        ConversationId = e.ConversationId,
        StartedAt = e.RecordedAt,
        LastTurnAt = e.RecordedAt,
        TurnCount = 1
    };

    public void Apply(TurnRecorded e, Conversation conversation)
    {
        conversation.LastTurnAt = e.RecordedAt;
        conversation.TurnCount++;
    }
}
