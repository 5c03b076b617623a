using CrossLearn.Features.Memories;
using CrossLearn.Platform.Storage;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Marten.Patching;

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
    /// <summary>The context the answer was given with (null: the chat app sent no contextId).</summary>
    public GivenContext? Context { get; set; }
}

/// <summary>
/// Writes the <see cref="Turn"/> documents inline without reading them: a new turn's document cannot exist yet (its id
/// is new, the decider saw to that), so it is inserted; a rating changes one field, so it is patched in place. That is
/// one query less per batch of turns than a projection that loads what it updates. A rebuild folds the same
/// <see cref="Evolve"/> stream by stream.
/// </summary>
public sealed class TurnProjection : IProjection
{
    /// <summary>The turn an event is about, none for other events.</summary>
    public static IReadOnlyList<Guid> IdsOf(object data) => data switch
    {
        TurnRecorded e => [e.TurnId],
        FeedbackGiven e => [e.TurnId],
        _ => []
    };

    /// <summary>A turn after one more event; an event of a shape this version does not know is refused.</summary>
    public static Turn? Evolve(Turn? snapshot, Guid id, IEvent e) => e.Data switch
    {
        _ when EventShapes.Rejection(e) is { } rejection => throw rejection,
        TurnRecorded recorded when snapshot == null => Recorded(recorded),
        FeedbackGiven feedback when snapshot != null => Rated(snapshot, feedback),
        _ => snapshot
    };

    public Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken cancellation)
    {
        var recorded = new Dictionary<Guid, Turn>();
        foreach (var e in events)
        {
            if (e.Data is not (TurnRecorded or FeedbackGiven)) continue;
            // Refused, the whole write fails, as with the other inline projections.
            if (EventShapes.Rejection(e) is { } rejection) throw rejection;
            switch (e.Data)
            {
                case TurnRecorded turn when !recorded.ContainsKey(turn.TurnId):
                    recorded.Add(turn.TurnId, Recorded(turn));
                    break;
                case FeedbackGiven feedback when recorded.TryGetValue(feedback.TurnId, out var inThisWrite):
                    Rated(inThisWrite, feedback);
                    break;
                // Of a turn recorded earlier; a rating of no turn patches nothing, as Evolve keeps no document.
                case FeedbackGiven feedback:
                    operations.Patch<Turn>(feedback.TurnId).Set(t => t.Success, feedback.Success);
                    break;
            }
        }

        // An insert, not an upsert: a turn id recorded before fails the write instead of overwriting that turn.
        foreach (var turn in recorded.Values) operations.Insert(turn);
        return Task.CompletedTask;
    }

    private static Turn Recorded(TurnRecorded e) => new()
    {
        Id = e.TurnId,
        UserId = e.UserId,
        ConversationId = e.ConversationId,
        UserMessage = e.UserMessage,
        AiResponse = e.AiResponse,
        RecordedAt = e.RecordedAt,
        Learned = [.. e.Learned],
        Context = e.Context
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
