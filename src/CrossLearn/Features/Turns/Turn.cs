using CrossLearn.Features.Admin;
using CrossLearn.Features.Memories;
using JasperFx.Events;
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

/// <summary>
/// Refuses an event <see cref="KnownEventShapes"/> rejects, like the memory and profile projections: a turn written
/// into one user's stream in another user's name must not become that user's turn (inline the write fails; in a
/// rebuild the daemon dead-letters the event and goes on).
/// </summary>
public sealed partial class TurnProjection : MultiStreamProjection<Turn, Guid>
{
    public TurnProjection()
    {
        Identity<TurnRecorded>(e => e.TurnId);
        Identity<FeedbackGiven>(e => e.TurnId);
    }

    public override Turn? Evolve(Turn? snapshot, Guid id, IEvent e) => e.Data switch
    {
        _ when KnownEventShapes.Rejection(e) is { } rejection => throw rejection,
        TurnRecorded recorded when snapshot == null => Record(recorded),
        FeedbackGiven feedback when snapshot != null => Rate(snapshot, feedback),
        _ => snapshot
    };

    private static Turn Record(TurnRecorded e) => new()
    {
        Id = e.TurnId,
        UserId = e.UserId,
        ConversationId = e.ConversationId,
        UserMessage = e.UserMessage,
        AiResponse = e.AiResponse,
        RecordedAt = e.RecordedAt,
        Learned = [.. e.Learned]
    };

    private static Turn Rate(Turn turn, FeedbackGiven e)
    {
        turn.Success = e.Success;
        return turn;
    }
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

/// <summary>Refuses what <see cref="KnownEventShapes"/> rejects, as <see cref="TurnProjection"/> does.</summary>
public sealed partial class ConversationProjection : MultiStreamProjection<Conversation, string>
{
    public ConversationProjection()
    {
        Identity<TurnRecorded>(e => Conversation.IdFor(e.UserId, e.ConversationId));
    }

    public override Conversation? Evolve(Conversation? snapshot, string id, IEvent e) => e.Data switch
    {
        _ when KnownEventShapes.Rejection(e) is { } rejection => throw rejection,
        TurnRecorded recorded when snapshot == null => Start(recorded),
        TurnRecorded recorded => Continue(snapshot, recorded),
        _ => snapshot
    };

    private static Conversation Start(TurnRecorded e) => new()
    {
        Id = Conversation.IdFor(e.UserId, e.ConversationId),
        UserId = e.UserId,
        ConversationId = e.ConversationId,
        StartedAt = e.RecordedAt,
        LastTurnAt = e.RecordedAt,
        TurnCount = 1
    };

    private static Conversation Continue(Conversation conversation, TurnRecorded e)
    {
        conversation.LastTurnAt = e.RecordedAt;
        conversation.TurnCount++;
        return conversation;
    }
}
