using CrossLearn.Features.Context;
using CrossLearn.Platform.Http;
using CrossLearn.Tests.Infrastructure;
using CrossLearn.Tests.Learning;
using Microsoft.Extensions.DependencyInjection;

namespace CrossLearn.Tests.Api;

/// <summary>A context stays small: the most confident memories, the highest ranked knowledge, the longest running experiments.</summary>
public sealed class ContextLimitTests(AppFixture app) : IntegrationTest(app)
{
    private string Admin => App.TokenFor("boss", Roles.Admin);

    [Fact]
    public async Task A_context_holds_at_most_the_configured_items_the_best_first_and_skips_knowledge_the_user_opposed()
    {
        // The shared host's settings object, narrowed for this test only (the collection's tests run one at a time).
        var settings = Host.Services.GetRequiredService<ContextSettings>();
        var saved = (settings.MaxMemories, settings.MaxKnowledge, settings.MaxExperiments);
        (settings.MaxMemories, settings.MaxKnowledge, settings.MaxExperiments) = (2, 2, 1);
        try
        {
            // Knowledge held by 7, 6 and 5 users, 4 rated turns each (20 at least), all successes: ranked tea, jazz, cat (no aging yet).
            var holders = Enumerable.Range(0, 7).Select(i => NewUser($"holder{i}")).ToList();
            await holders.Select((user, i) => (user, i)).InParallelAsync(4, async h =>
            {
                await App.TeachAsync(h.user, "I prefer tea.", LearningScenario.Ratings(4, 0));
                if (h.i < 6) await App.PostTurnAsync(h.user, "I prefer jazz.");
                if (h.i < 5) await App.PostTurnAsync(h.user, "I prefer cats.");
            });
            // Two patterns under test, started one after the other.
            foreach (var key in new[] { "dark mode", "sushi" })
                foreach (var holder in holders.Take(2)) await App.PostTurnAsync(holder, $"I prefer {key}.");
            await SettleAsync();
            var first = (await App.PostJsonAsync("/api/admin/experiments", new { type = "preference", key = "dark mode" }, Admin, 201)).ReadAsJson<ExperimentDto>()!;
            await App.PostJsonAsync("/api/admin/experiments", new { type = "preference", key = "sushi" }, Admin, 201);
            Assert.Equal(["cat", "jazz", "tea"], (await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", Admin)).Select(k => k.Key).Order());

            var user = NewUser();
            await App.PostTurnAsync(user, "I prefer coffee.");
            await App.PostTurnAsync(user, "I love hiking.");
            await App.PostTurnAsync(user, "My name is Ada.");
            var all = await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user));
            var context = await App.GetJsonAsync<ExperimentContextDto>("/api/me/context", App.TokenFor(user));
            Assert.True(all.Count >= 3, $"{all.Count} memories");
            Assert.Equal(all.Take(2).Select(m => m.Id), context.Memories.Select(m => m.Id));
            Assert.Equal(["tea", "jazz"], context.Knowledge.Where(k => k.ExperimentId == null).Select(k => k.Key));
            Assert.Equal(first.ExperimentId, Assert.Single(context.Experiments).ExperimentId);

            // Having said the opposite of jazz, the user is told the next one instead.
            await App.PostTurnAsync(user, "I hate jazz.");
            var opposed = await App.GetJsonAsync<ExperimentContextDto>("/api/me/context", App.TokenFor(user));
            Assert.Equal(["tea", "cat"], opposed.Knowledge.Where(k => k.ExperimentId == null).Select(k => k.Key));
        }
        finally
        {
            (settings.MaxMemories, settings.MaxKnowledge, settings.MaxExperiments) = saved;
        }
    }
}
