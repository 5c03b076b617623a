using CrossLearn.Features.Profile;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;

namespace CrossLearn.Tests.Api;

public sealed class FeedbackTests(AppFixture app) : IntegrationTest(app)
{
    private async Task<UserProfile?> ProfileAsync(string user)
    {
        await using var session = Store.QuerySession();
        return await session.LoadAsync<UserProfile>(user);
    }

    [Fact]
    public async Task The_owner_rates_a_turn_and_a_later_rating_replaces_the_earlier_one()
    {
        var user = NewUser();
        var turn = await App.PostTurnAsync(user, "Hello");
        var url = $"/api/turns/{turn.TurnId}/feedback";

        await App.PostJsonAsync(url, new { success = true }, App.TokenFor(user), 204);
        Assert.Equal((1, 1), ((await ProfileAsync(user))!.RatedTurns, (await ProfileAsync(user))!.SuccessfulTurns));

        await App.PostJsonAsync(url, new { success = false }, App.TokenFor(user), 204);
        await App.PostJsonAsync(url, new { success = false }, App.TokenFor(user), 204);
        var profile = (await ProfileAsync(user))!;
        Assert.Equal((1, 0), (profile.RatedTurns, profile.SuccessfulTurns));

        var conversation = Assert.Single(await App.GetJsonAsync<List<ConversationDto>>("/api/me/conversations", App.TokenFor(user)));
        Assert.False(Assert.Single(conversation.Turns).Success);
    }

    [Fact]
    public async Task Services_and_admins_may_rate_any_turn()
    {
        var user = NewUser();
        var turn = await App.PostTurnAsync(user, "Hello");
        await App.PostJsonAsync($"/api/turns/{turn.TurnId}/feedback", new { success = true }, App.TokenFor("chat-app", Roles.Service), 204);
        await App.PostJsonAsync($"/api/turns/{turn.TurnId}/feedback", new { success = false }, App.TokenFor("root", Roles.Admin), 204);
        Assert.Equal(0, (await ProfileAsync(user))!.SuccessfulTurns);
    }

    [Fact]
    public async Task Another_users_turn_looks_exactly_like_a_missing_one()
    {
        var (owner, stranger) = (NewUser(), NewUser());
        var turn = await App.PostTurnAsync(owner, "Hello");

        var foreign = await App.PostJsonAsync($"/api/turns/{turn.TurnId}/feedback", new { success = true }, App.TokenFor(stranger), 404);
        var missing = await App.PostJsonAsync($"/api/turns/{Guid.NewGuid()}/feedback", new { success = true }, App.TokenFor(stranger), 404);

        Assert.Equal(foreign.Problem().GetProperty("detail").GetString(), missing.Problem().GetProperty("detail").GetString());
        Assert.Equal(0, (await ProfileAsync(owner))!.RatedTurns);
    }

    [Fact]
    public async Task A_rating_needs_a_success_flag()
    {
        var user = NewUser();
        var turn = await App.PostTurnAsync(user, "Hello");
        var result = await App.PostJsonAsync($"/api/turns/{turn.TurnId}/feedback", new { }, App.TokenFor(user), 400);
        Assert.True(result.Problem().GetProperty("errors").TryGetProperty("success", out _));
        Assert.Equal(0, (await ProfileAsync(user))!.RatedTurns);
    }
}
