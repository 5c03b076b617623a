using CrossLearn.Features.Turns;

namespace CrossLearn.Tests.Units;

/// <summary>The conversation summary's Evolve, called with events built in memory (no database).</summary>
public sealed class ConversationProjectionTests
{
    private static readonly DateTimeOffset T0 = Stored.Epoch;

    private readonly ConversationProjection _projection = new();

    private static TurnRecorded Recorded(string user, string conversation, DateTimeOffset at) =>
        new(user, Guid.NewGuid(), conversation, "hi", "hello", at, []);

    private Conversation Evolve(Conversation? conversation, TurnRecorded e) =>
        _projection.Evolve(conversation, Conversation.IdFor(e.UserId, e.ConversationId), Stored.On(e.UserId, e))!;

    [Fact]
    public void A_conversation_starts_with_its_first_turn()
    {
        var conversation = Evolve(null, Recorded("ana", "c1", T0));

        Assert.Equal((Conversation.IdFor("ana", "c1"), "ana", "c1"), (conversation.Id, conversation.UserId, conversation.ConversationId));
        Assert.Equal((T0, T0, 1), (conversation.StartedAt, conversation.LastTurnAt, conversation.TurnCount));
    }

    [Fact]
    public void Each_later_turn_is_counted_and_moves_the_last_turn_time_but_not_the_start()
    {
        var conversation = Evolve(null, Recorded("ana", "c1", T0));

        conversation = Evolve(conversation, Recorded("ana", "c1", T0.AddMinutes(3)));
        conversation = Evolve(conversation, Recorded("ana", "c1", T0.AddMinutes(9)));

        Assert.Equal((3, T0, T0.AddMinutes(9)), (conversation.TurnCount, conversation.StartedAt, conversation.LastTurnAt));
    }

    [Fact]
    public void Two_users_who_pick_the_same_conversation_id_get_two_conversations()
    {
        // Conversation ids come from clients; the user id keeps them apart.
        var ana = Evolve(null, Recorded("ana", "c1", T0));
        var bea = Evolve(null, Recorded("bea", "c1", T0));

        Assert.NotEqual(ana.Id, bea.Id);
        Assert.NotEqual(Conversation.IdFor("ana", "bc1"), Conversation.IdFor("anab", "c1"));
    }
}
