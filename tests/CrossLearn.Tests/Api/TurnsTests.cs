using Alba;
using CrossLearn.Features.Turns;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;
using Marten;

namespace CrossLearn.Tests.Api;

public sealed class TurnsTests(AppFixture app) : IntegrationTest(app)
{
    [Fact]
    public async Task A_turn_returns_what_was_learned_and_is_readable_at_once()
    {
        var user = NewUser();
        var turn = await App.PostTurnAsync(user, "I prefer tea.", "Tea it is.");

        var learned = Assert.Single(turn.Learned);
        Assert.Equal(("preference", "tea"), (learned.Type, learned.Key));
        Assert.True(learned.Confidence >= 0.85);

        var memory = Assert.Single(await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user)));
        Assert.Equal(("preference", "tea", 1), (memory.Type, memory.Key, memory.TimesSeen));
        Assert.Equal([turn.TurnId], memory.SourceTurnIds);

        var conversation = Assert.Single(await App.GetJsonAsync<List<ConversationDto>>("/api/me/conversations", App.TokenFor(user)));
        Assert.Equal(turn.ConversationId, conversation.ConversationId);
        var stored = Assert.Single(conversation.Turns);
        Assert.Equal(("I prefer tea.", "Tea it is."), (stored.UserMessage, stored.AiResponse));

        var me = await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(user));
        Assert.Equal((user, "user", 1, 1), (me.UserId, me.Role, me.MemoryCount, me.InteractionCount));
        Assert.NotNull(me.FirstSeenAt);
    }

    [Fact]
    public async Task Turns_without_a_conversation_id_start_new_conversations_and_with_one_join_it()
    {
        var user = NewUser();
        var first = await App.PostTurnAsync(user, "Hello there", conversationId: "chat-1");
        await App.PostTurnAsync(user, "And again", conversationId: "chat-1");
        var other = await App.PostTurnAsync(user, "Something else");

        Assert.Equal("chat-1", first.ConversationId);
        Assert.NotEqual("chat-1", other.ConversationId);

        var conversations = await App.GetJsonAsync<List<ConversationDto>>("/api/me/conversations", App.TokenFor(user));
        Assert.Equal([other.ConversationId, "chat-1"], conversations.Select(c => c.ConversationId));
        Assert.Equal(["Hello there", "And again"], conversations[1].Turns.Select(t => t.UserMessage));

        var limited = await App.GetJsonAsync<List<ConversationDto>>("/api/me/conversations?limit=1", App.TokenFor(user));
        Assert.Equal(other.ConversationId, Assert.Single(limited).ConversationId);
    }

    [Fact]
    public async Task Two_users_with_the_same_conversation_id_do_not_share_it()
    {
        var (alice, bob) = (NewUser(), NewUser());
        await App.PostTurnAsync(alice, "Alice here", conversationId: "same");
        await App.PostTurnAsync(bob, "Bob here", conversationId: "same");

        var bobs = await App.GetJsonAsync<List<ConversationDto>>("/api/me/conversations", App.TokenFor(bob));
        Assert.Equal(["Bob here"], Assert.Single(bobs).Turns.Select(t => t.UserMessage));
    }

    [Fact]
    public async Task A_retried_turn_returns_the_first_result_and_records_nothing_new()
    {
        var user = NewUser();
        var turnId = Guid.NewGuid();
        var first = await App.PostTurnAsync(user, "I prefer oat milk.", turnId: turnId);
        var retry = await App.PostTurnAsync(user, "I prefer oat milk.", turnId: turnId);

        Assert.Equal(first.TurnId, retry.TurnId);
        Assert.Equal(first.ConversationId, retry.ConversationId);
        Assert.Equal(first.Learned, retry.Learned);

        var memory = Assert.Single(await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user)));
        Assert.Equal(1, memory.TimesSeen);
        Assert.Equal(1, (await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(user))).InteractionCount);
        await using var session = Store.QuerySession();
        Assert.Equal(2, (await session.Events.FetchStreamAsync(user)).Count); // TurnRecorded + MemoryLearned
    }

    [Fact]
    public async Task The_same_turn_id_with_other_content_or_for_another_user_is_a_conflict()
    {
        var (user, other) = (NewUser(), NewUser());
        var turnId = Guid.NewGuid();
        await App.PostTurnAsync(user, "First words", turnId: turnId);

        var changed = await App.PostJsonAsync("/api/turns", new { userMessage = "Other words", aiResponse = "Noted.", turnId },
            App.TokenFor(user), 409);
        Assert.Equal(409, changed.Problem().GetProperty("status").GetInt32());

        await App.PostJsonAsync("/api/turns", new { userMessage = "First words", aiResponse = "Noted.", turnId },
            App.TokenFor(other), 409);
        Assert.Equal(0, (await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(other))).InteractionCount);
    }

    [Fact]
    public async Task A_user_may_not_post_for_someone_else_but_services_and_admins_may()
    {
        var (user, target) = (NewUser(), NewUser());
        var body = new { userMessage = "I prefer tea.", aiResponse = "Ok", userId = target };

        (await App.PostJsonAsync("/api/turns", body, App.TokenFor(user), 403)).Problem();
        await App.PostJsonAsync("/api/turns", body, App.TokenFor("chat-app", Roles.Service), 201);
        await App.PostJsonAsync("/api/turns", body, App.TokenFor("root", Roles.Admin), 201);
        // Naming oneself is allowed.
        await App.PostJsonAsync("/api/turns", new { userMessage = "Hi", aiResponse = "Ok", userId = user }, App.TokenFor(user), 201);

        var memory = Assert.Single(await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(target)));
        Assert.Equal(2, memory.TimesSeen);
        Assert.Empty(await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor("chat-app", Roles.Service)));
    }

    [Fact]
    public async Task A_service_must_name_the_user_it_posts_for()
    {
        var result = await App.PostJsonAsync("/api/turns", new { userMessage = "Hi", aiResponse = "Ok" },
            App.TokenFor("chat-app", Roles.Service), 400);
        Assert.Contains("userId", result.Problem().GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Fifty_parallel_turns_for_one_user_are_all_recorded_with_exact_counts()
    {
        var user = NewUser();
        var turns = await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            App.PostTurnAsync(user, i % 2 == 0 ? "I prefer tea." : $"Message number {i}", conversationId: "busy")));

        Assert.Equal(50, turns.Select(t => t.TurnId).Distinct().Count());
        var me = await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(user));
        Assert.Equal((50, 1), (me.InteractionCount, me.MemoryCount));
        var memory = Assert.Single(await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user)));
        Assert.Equal(25, memory.TimesSeen);
        var conversation = Assert.Single(await App.GetJsonAsync<List<ConversationDto>>("/api/me/conversations", App.TokenFor(user)));
        Assert.Equal((50, 50), (conversation.TurnCount, conversation.Turns.Count));
    }

    [Fact]
    public async Task Parallel_retries_of_one_turn_record_it_once()
    {
        var user = NewUser();
        var turnId = Guid.NewGuid();
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => App.PostTurnAsync(user, "I prefer tea.", turnId: turnId)));

        Assert.All(results, r => Assert.Equal(turnId, r.TurnId));
        Assert.Equal(1, (await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(user))).InteractionCount);
    }

    [Fact]
    public async Task Parallel_retries_of_new_users_first_turns_are_each_recorded_once()
    {
        // A new user's stream has no row to lock: the retries race on creating it, and the losers run again (some after
        // the winner's turn is committed but before they read the stream). Many users at once make those races likely.
        var users = Enumerable.Range(0, 12).Select(_ => (User: NewUser(), TurnId: Guid.NewGuid())).ToList();
        var results = await Task.WhenAll(users.SelectMany(u => Enumerable.Range(0, 6).Select(_ => App.PostTurnAsync(u.User, "I prefer tea.", turnId: u.TurnId))));

        Assert.Equal(users.Select(u => u.TurnId).Order(), results.Select(r => r.TurnId).Distinct().Order());
        foreach (var (user, _) in users)
            Assert.Equal(1, (await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(user))).InteractionCount);
    }
}
