using System.Text;
using Alba;
using CrossLearn.Features.Context;
using CrossLearn.Features.Turns;
using CrossLearn.Platform.Http;
using CrossLearn.Tests.Infrastructure;
using Marten;

namespace CrossLearn.Tests.Api;

/// <summary>Exposure: a context names its items, and a turn sent back with its contextId records them.</summary>
public sealed class ExposureTests(AppFixture app) : IntegrationTest(app)
{
    private Task<ContextDto> ContextAsync(string user) => App.GetJsonAsync<ContextDto>("/api/me/context", App.TokenFor(user));

    private async Task<TurnViewDto> OnlyTurnAsync(string user) =>
        Assert.Single(Assert.Single(await App.GetJsonAsync<List<ConversationDto>>("/api/me/conversations", App.TokenFor(user))).Turns);

    [Fact]
    public async Task A_context_names_its_memories_by_id_and_version_and_a_turn_given_with_it_records_them()
    {
        var user = NewUser();
        await App.PostTurnAsync(user, "I prefer tea.");
        await App.PostTurnAsync(user, "My name is Ada.");

        var context = await ContextAsync(user);
        Assert.NotEmpty(context.ContextId);
        Assert.Equal(TimeSpan.FromMinutes(60), context.ExpiresAt - context.IssuedAt);
        var tea = context.Memories.Single(m => m.Key == "tea");
        Assert.Equal("memory:preference:tea", tea.Id);
        // The user's stream: the first turn (1) taught tea (2); the second turn (3) taught the name (4).
        Assert.Equal(2, tea.Version);
        Assert.Equal(4, context.Memories.Single(m => m.Type == "personal_info").Version);

        await App.PostJsonAsync("/api/turns",
            new { userMessage = "What should I drink?", aiResponse = "Tea, Ada.", contextId = context.ContextId, conversationId = "c-exposed" },
            App.TokenFor(user), 201);

        var given = (await App.GetJsonAsync<List<ConversationDto>>("/api/me/conversations", App.TokenFor(user)))
            .Single(c => c.ConversationId == "c-exposed").Turns.Single().GivenWith!;
        Assert.Equal(context.IssuedAt, given.IssuedAt);
        Assert.Equal(context.Memories.Select(m => (m.Id, m.Version)).ToHashSet(), given.Items.Select(i => (i.Id, i.Version)).ToHashSet());
        Assert.All(given.Items, i => Assert.Equal("memory", i.Kind));

        // Reinforced, the memory has a new version: the next context names that one.
        await App.PostTurnAsync(user, "I prefer tea.");
        Assert.Equal(7, (await ContextAsync(user)).Memories.Single(m => m.Key == "tea").Version);
    }

    [Fact]
    public async Task A_turn_without_a_context_records_none()
    {
        var user = NewUser();
        await App.PostTurnAsync(user, "Hello there");
        Assert.Null((await OnlyTurnAsync(user)).GivenWith);
    }

    [Fact]
    public async Task A_retry_with_the_same_context_is_the_same_turn()
    {
        var user = NewUser();
        var context = await ContextAsync(user);
        var body = new { userMessage = "Hello there", aiResponse = "Hi.", contextId = context.ContextId, turnId = Guid.NewGuid() };

        await App.PostJsonAsync("/api/turns", body, App.TokenFor(user), 201);
        await App.PostJsonAsync("/api/turns", body, App.TokenFor(user), 201);

        Assert.Empty((await OnlyTurnAsync(user)).GivenWith!.Items);
    }

    [Fact]
    public async Task A_service_reads_a_named_users_context_and_posts_the_turn_with_it()
    {
        var user = NewUser();
        await App.PostTurnAsync(user, "I prefer tea.");
        var service = App.TokenFor("chat-app", Roles.Service);

        var context = await App.GetJsonAsync<ContextDto>($"/api/users/{Uri.EscapeDataString(user)}/context", service);
        Assert.Equal("tea", Assert.Single(context.Memories).Key);
        await App.PostJsonAsync("/api/turns",
            new { userMessage = "What now?", aiResponse = "Tea.", contextId = context.ContextId, userId = user, conversationId = "c2" }, service, 201);

        var turn = (await App.GetJsonAsync<List<ConversationDto>>("/api/me/conversations", App.TokenFor(user))).Single(c => c.ConversationId == "c2").Turns.Single();
        Assert.Equal("memory:preference:tea", Assert.Single(turn.GivenWith!.Items).Id);

        // An admin may read it too; a user only their own.
        await App.GetAsync($"/api/users/{Uri.EscapeDataString(user)}/context", App.TokenFor("boss", Roles.Admin));
        await App.GetAsync($"/api/users/{Uri.EscapeDataString(user)}/context", App.TokenFor(user));
        var refused = await App.GetAsync($"/api/users/{Uri.EscapeDataString(user)}/context", App.TokenFor(NewUser()), 403);
        Assert.Equal(403, refused.Problem().GetProperty("status").GetInt32());
        await App.GetAsync($"/api/users/{Uri.EscapeDataString(user)}/context", null, 401);
        Assert.Equal(400, (await App.GetAsync("/api/users/crosslearn:knowledge/context", service, 400)).Problem().GetProperty("status").GetInt32());
    }

    public static TheoryData<string> BadContexts => new() { "unknown", "foreign", "expired", "forged", "too long" };

    [Theory]
    [MemberData(nameof(BadContexts))]
    public async Task A_turn_with_a_context_that_is_not_this_users_or_no_longer_valid_is_refused_and_records_nothing(string kind)
    {
        var user = NewUser();
        var secret = Encoding.UTF8.GetBytes(AppFixture.SigningKey);
        var contextId = kind switch
        {
            "unknown" => "bm90LWEtY29udGV4dA",
            "foreign" => (await ContextAsync(NewUser())).ContextId,
            "expired" => new ContextIds(secret, TimeSpan.FromMinutes(60)).Issue(new IssuedContext(user, DateTimeOffset.UtcNow.AddHours(-2), [])),
            "forged" => new ContextIds(Encoding.UTF8.GetBytes("not-the-service-secret-0123456789-abcdef"), TimeSpan.FromMinutes(60))
                .Issue(new IssuedContext(user, DateTimeOffset.UtcNow, [new Exposure("knowledge", "preference", "anything", 1)])),
            _ => new string('A', ContextIds.MaxLength + 1)
        };

        var result = await App.PostJsonAsync("/api/turns", new { userMessage = "I prefer tea.", aiResponse = "Noted.", contextId }, App.TokenFor(user), 400);

        var problem = result.Problem();
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Contains(kind switch { "foreign" => "another user", "expired" => "expired", "too long" => "65536", _ => "not one this service issued" },
            problem.ToString());
        await using var session = Store.QuerySession();
        Assert.Empty(await session.Events.FetchStreamAsync(user));
        Assert.Empty(await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user)));
    }
}
