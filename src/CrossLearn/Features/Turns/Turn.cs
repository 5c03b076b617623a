using CrossLearn.Features.Memories;
using CrossLearn.Platform.Storage;
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

/// <summary>One Evolve step per event, as the other per-user projections: a rebuild folds it stream by stream too.</summary>
public sealed partial class TurnProjection : MultiStreamProjection<Turn, Guid>
{
    public TurnProjection()
    {
        Identity<TurnRecorded>(e => e.TurnId);
        Identity<FeedbackGiven>(e => e.TurnId);
    }

    /// <summary>The turn an event is about (its identities above), none for other events.</summary>
    public static IReadOnlyList<Guid> IdsOf(object data) => data switch
    {
        TurnRecorded e => [e.TurnId],
        FeedbackGiven e => [e.TurnId],
        _ => []
    };

    /// <summary>An event of a shape this version does not know is refused (the write fails; a rebuild skips it).</summary>
    public override Turn? Evolve(Turn? snapshot, Guid id, IEvent e) => e.Data switch
    {
        _ when EventShapes.Rejection(e) is { } rejection => throw rejection,
        TurnRecorded recorded when snapshot == null => Recorded(recorded),
        FeedbackGiven feedback when snapshot != null => Rated(snapshot, feedback),
        _ => snapshot
    };

    private static Turn Recorded(TurnRecorded e) => new()
    {
        Id = e.TurnId,
        UserId = e.UserId,
        ConversationId = e.ConversationId,
        UserMessage = e.UserMessage,
        AiResponse = e.AiResponse,
        RecordedAt = e.RecordedAt,
        Learned = [.. e.Learned]
    };

    private static Turn Rated(Turn turn, FeedbackGiven e)
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

public sealed partial class ConversationProjection : MultiStreamProjection<Conversation, string>
{
    public ConversationProjection()
    {
        Identity<TurnRecorded>(e => Conversation.IdFor(e.UserId, e.ConversationId));
    }

    /// <summary>The conversation an event is about (its identity above), none for other events.</summary>
    public static IReadOnlyList<string> IdsOf(object data) =>
        data is TurnRecorded e ? [Conversation.IdFor(e.UserId, e.ConversationId)] : [];

    /// <summary>An event of a shape this version does not know is refused (the write fails; a rebuild skips it).</summary>
    public override Conversation? Evolve(Conversation? snapshot, string id, IEvent e) => e.Data switch
    {
        _ when EventShapes.Rejection(e) is { } rejection => throw rejection,
        TurnRecorded recorded when snapshot == null => new Conversation
        {
            Id = Conversation.IdFor(recorded.UserId, recorded.ConversationId),
            UserId = recorded.UserId,
            ConversationId = recorded.ConversationId,
            StartedAt = recorded.RecordedAt,
            LastTurnAt = recorded.RecordedAt,
            TurnCount = 1
        },
        TurnRecorded recorded => Continued(snapshot, recorded),
        _ => snapshot
    };

    private static Conversation Continued(Conversation conversation, TurnRecorded e)
    {
        conversation.LastTurnAt = e.RecordedAt;
        conversation.TurnCount++;
        return conversation;
    }
}
