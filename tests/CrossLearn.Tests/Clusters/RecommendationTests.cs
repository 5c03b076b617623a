using CrossLearn.Features.Clusters;
using CrossLearn.Platform.Http;
using CrossLearn.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CrossLearn.Tests.Clusters;

public sealed record RecommendationDto(string Id, string Type, string Key, int Holders, int ClusterUsers, double? HoldersSuccessRate, double PredictedSuccess,
    string Explanation);
public sealed record RecommendationsDto(int? ClusterId, List<RecommendationDto> Items);
public sealed record ContextWithRecommendationsDto(string ContextId, List<RecommendationDto> Recommendations);

/// <summary>"Users like you prefer...": what the user's cluster holds and they do not, within the privacy rules.</summary>
public sealed class RecommendationTests(AppFixture app) : IntegrationTest(app)
{
    private string Admin => App.TokenFor("boss", Roles.Admin);

    private Task<RecommendationsDto> RecommendationsAsync(string user) => App.GetJsonAsync<RecommendationsDto>("/api/me/recommendations", App.TokenFor(user));

    [Fact]
    public async Task A_user_is_recommended_what_enough_users_of_their_cluster_hold_and_never_what_they_rejected_or_anything_personal()
    {
        var me = NewUser("me");
        var drinkers = Enumerable.Range(0, 6).Select(i => NewUser($"tea{i}")).ToList();
        foreach (var user in drinkers.Append(me))
        {
            await App.PostTurnAsync(user, "I prefer tea.");
            await App.PostTurnAsync(user, "I prefer jazz.");
            await App.PostTurnAsync(user, "My name is Sam.");
        }
        // All six others like cats; four like sushi: under the k of 5.
        foreach (var user in drinkers) await App.PostTurnAsync(user, "I prefer cats.");
        foreach (var user in drinkers.Take(4)) await App.PostTurnAsync(user, "I prefer sushi.");
        var coders = Enumerable.Range(0, 6).Select(i => NewUser($"code{i}")).ToList();
        foreach (var user in coders) { await App.PostTurnAsync(user, "I prefer dark mode."); await App.PostTurnAsync(user, "I prefer python."); }

        var before = await RecommendationsAsync(me);
        Assert.Null(before.ClusterId);
        Assert.Empty(before.Items);
        await App.ClusterAsync(Admin, maxClusters: 2);

        var mine = await RecommendationsAsync(me);
        Assert.NotNull(mine.ClusterId);
        var cat = Assert.Single(mine.Items);
        Assert.Equal(("recommendation:preference:cat", "preference", "cat", 6, 6), (cat.Id, cat.Type, cat.Key, cat.Holders, cat.ClusterUsers));
        Assert.Equal("held by 6 of the 6 users most like you; none of their turns rated yet", cat.Explanation);
        Assert.InRange(cat.PredictedSuccess, 0, 1);
        // The coders' keys are another cluster's: not "like me".
        Assert.DoesNotContain(mine.Items, i => i.Key is "dark mode" or "python");

        // The chat app's service token reads it for the user; another user may not.
        var forService = await App.GetJsonAsync<RecommendationsDto>($"/api/users/{me}/recommendations", App.TokenFor("chat-app", Roles.Service));
        Assert.Equal(mine.Items, forService.Items);
        (await App.GetAsync($"/api/users/{me}/recommendations", App.TokenFor(coders[0]), 403)).Problem();

        // Served in the context when the app asks for it (Context:MaxRecommendations), named like any item: a turn
        // answered with it records it, so its ratings are its outcomes.
        var contextSettings = Host.Services.GetRequiredService<CrossLearn.Features.Context.ContextSettings>();
        Assert.Equal(0, contextSettings.MaxRecommendations);
        Assert.Empty((await App.GetJsonAsync<ContextWithRecommendationsDto>("/api/me/context", App.TokenFor(me))).Recommendations);
        contextSettings.MaxRecommendations = 3;
        try
        {
            var context = await App.GetJsonAsync<ContextWithRecommendationsDto>("/api/me/context", App.TokenFor(me));
            Assert.Equal("recommendation:preference:cat", Assert.Single(context.Recommendations).Id);
            await App.PostJsonAsync("/api/turns", new { userMessage = "Any pet ideas?", aiResponse = "Cats, perhaps.", contextId = context.ContextId, conversationId = "c-rec" },
                App.TokenFor(me), 201);
            var given = (await App.GetJsonAsync<List<ConversationDto>>("/api/me/conversations", App.TokenFor(me)))
                .Single(c => c.ConversationId == "c-rec").Turns.Single().GivenWith!;
            var exposure = given.Items.Single(i => i.Kind == "recommendation");
            Assert.Equal(("recommendation:preference:cat", 0L), (exposure.Id, exposure.Version));
        }
        finally
        {
            contextSettings.MaxRecommendations = 0;
        }

        // Rejected: no longer recommended.
        await App.PostTurnAsync(me, "I hate cats.");
        Assert.Empty((await RecommendationsAsync(me)).Items);
        // Nor once the user has erased what they said: what they took back is not offered again.
        await App.DeleteAsync("/api/me/memories/negative_preference/cat", App.TokenFor(me), 204);
        Assert.DoesNotContain((await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(me))), m => m.Key == "cat");
        Assert.Empty((await RecommendationsAsync(me)).Items);
    }

    /// <summary>
    /// Tea and jazz drinkers (and "me") in one cluster, coders in the other; five of the drinkers like cats, so cats is
    /// the one recommendation "me" gets, held by exactly k.
    /// </summary>
    private async Task<(string Me, List<string> Drinkers)> FiveCatHoldersAmongTheDrinkersAsync(int drinkers)
    {
        var me = NewUser("me");
        var teaDrinkers = Enumerable.Range(0, drinkers).Select(i => NewUser($"tea{i}")).ToList();
        foreach (var user in teaDrinkers.Append(me)) { await App.PostTurnAsync(user, "I prefer tea."); await App.PostTurnAsync(user, "I prefer jazz."); }
        foreach (var user in teaDrinkers.Take(5)) await App.PostTurnAsync(user, "I prefer cats.");
        foreach (var user in Enumerable.Range(0, 6).Select(i => NewUser($"code{i}")))
        {
            await App.PostTurnAsync(user, "I prefer dark mode.");
            await App.PostTurnAsync(user, "I prefer python.");
        }

        await App.ClusterAsync(Admin, maxClusters: 2);
        Assert.Equal("cat", Assert.Single((await RecommendationsAsync(me)).Items).Key);
        return (me, teaDrinkers);
    }

    [Fact]
    public async Task An_item_falls_under_k_holders_when_its_holders_are_erased()
    {
        var (me, drinkers) = await FiveCatHoldersAmongTheDrinkersAsync(drinkers: 6);

        await App.DeleteJsonAsync("/api/me", new { confirm = drinkers[0] }, App.TokenFor(drinkers[0]), 204);
        Assert.Empty((await RecommendationsAsync(me)).Items);
    }

    [Fact]
    public async Task With_counts_kept_as_in_production_an_erased_holders_part_is_gone_after_the_membership_check()
    {
        var settings = Host.Services.GetRequiredService<RecommendationSettings>();
        var saved = settings.CacheSeconds;
        settings.CacheSeconds = 60;
        try
        {
            // Nine in the cluster (no other test's cluster has as many, so no count kept from one is taken for this one's).
            var (me, drinkers) = await FiveCatHoldersAmongTheDrinkersAsync(drinkers: 8);

            // A holder erased: the cluster's count has one member fewer, seen at the next check, and its items counted again.
            await App.EraseMeAsync(drinkers[0]);
            await Task.Delay(TimeSpan.FromSeconds(settings.MembershipCheckSeconds) + TimeSpan.FromMilliseconds(200));
            Assert.Empty((await RecommendationsAsync(me)).Items);
        }
        finally
        {
            settings.CacheSeconds = saved;
        }
    }
}
