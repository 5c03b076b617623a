using System.Text.Json;
using CrossLearn.Features.Learners;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Turns;
using CrossLearn.Platform.Http;
using CrossLearn.Tests.Infrastructure;
using Marten;

namespace CrossLearn.Tests.Learning;

public sealed record AgingDto(DateTimeOffset AsOf, int Patterns, int Demoted);
public sealed record RankedPatternDto(string Type, string Key, int UserCount, double? Rank, double? RecentSuccessRate);

/// <summary>Decay as of moments the tests name (the injected clock of aging): stale patterns sink, knowledge failing of late goes.</summary>
public sealed class DecayTests(AppFixture app) : IntegrationTest(app)
{
    private string Admin => App.TokenFor("boss", Roles.Admin);

    private async Task<AgingDto> AgeAsync(DateTimeOffset asOf, int status = 200) =>
        (await App.PostJsonAsync("/api/admin/patterns/age", new { asOf }, Admin, status)).ReadAsJson<AgingDto>()!;

    /// <summary>A user who said it <paramref name="daysAgo"/> days ago: their events as the service would have recorded them then.</summary>
    private async Task SaidLongAgoAsync(string user, string key, int daysAgo)
    {
        var at = DateTimeOffset.UtcNow.AddDays(-daysAgo);
        var turn = Guid.NewGuid();
        var learned = new MemoryLearning.Learned(MemoryTypes.Preference, key, key, 0.9);
        await using var session = Store.LightweightSession();
        session.Events.StartStream<Learner>(user,
            new TurnRecorded(user, turn, $"c-{turn:N}", $"I prefer {key}.", "Noted.", at, [learned]),
            new MemoryLearned(user, MemoryTypes.Preference, key, key, 0.9, turn, at, null, ExtractorVersion.Current));
        await session.SaveChangesAsync();
    }

    [Fact]
    public async Task A_pattern_whose_holders_were_last_seen_long_ago_sinks_below_a_fresher_one_with_fewer_holders()
    {
        foreach (var i in Enumerable.Range(0, 3)) await SaidLongAgoAsync(NewUser($"old{i}"), "gopher", daysAgo: 360);
        foreach (var i in Enumerable.Range(0, 2)) await App.PostTurnAsync(NewUser($"new{i}"), "I prefer rustaceans.");
        await SettleAsync();
        var before = await App.GetJsonAsync<List<RankedPatternDto>>("/api/patterns", App.TokenFor(NewUser()));
        Assert.Equal(["gopher", "rustacean"], before.Select(p => p.Key));
        Assert.All(before, p => Assert.Null(p.Rank));

        var aging = await AgeAsync(DateTimeOffset.UtcNow);
        Assert.Equal((2, 0), (aging.Patterns, aging.Demoted));

        var after = await App.GetJsonAsync<List<RankedPatternDto>>("/api/patterns", App.TokenFor(NewUser()));
        Assert.Equal(["rustacean", "gopher"], after.Select(p => p.Key));
        // Three holders seen 360 days ago at a half-life of 90 days: 3 * 0.5^4.
        Assert.Equal(3 * Math.Pow(0.5, 4), after.Single(p => p.Key == "gopher").Rank!.Value, 3);
        Assert.Equal(2, after.Single(p => p.Key == "rustacean").Rank!.Value, 3);
        Assert.Equal(3, after.Single(p => p.Key == "gopher").UserCount);

        // Aging moves forward only.
        await AgeAsync(DateTimeOffset.UtcNow.AddDays(-1), 409);
    }

    [Fact]
    public async Task Knowledge_whose_recent_turns_fail_is_demoted_by_aging_though_the_seed_rule_keeps_it_and_a_rebuild_agrees()
    {
        var holders = Enumerable.Range(0, 5).Select(i => NewUser($"h{i}")).ToList();
        foreach (var holder in holders) await App.TeachAsync(holder, "I prefer fading answers.", LearningScenario.Ratings(12, 0));
        await SettleAsync();
        Assert.Single(await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", App.TokenFor(NewUser())));

        // Twelve failures of late: 60 of 72 all-time (0.83: the seed rule keeps it, and would promote it), 8 of the last 20 (0.40).
        foreach (var holder in holders.Take(4)) await App.TeachAsync(holder, "Hello again.", LearningScenario.Ratings(0, 3));
        await SettleAsync();
        Assert.Single(await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", App.TokenFor(NewUser())));

        var now = DateTimeOffset.UtcNow;
        Assert.Equal(0, (await AgeAsync(now)).Demoted);
        var knowledge = Assert.Single(await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", App.TokenFor(NewUser())));
        Assert.Equal(0.4, (await App.GetJsonAsync<List<RankedPatternDto>>("/api/patterns", App.TokenFor(NewUser()))).Single().RecentSuccessRate);
        var beforeDemotion = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        Assert.Equal(1, (await AgeAsync(now.AddHours(1))).Demoted);
        Assert.Empty(await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", App.TokenFor(NewUser())));

        // An audit reads the decisions as they stood: the knowledge before the second aging, gone after it.
        var then = await App.GetJsonAsync<JsonElement>($"/api/admin/knowledge?at={Uri.EscapeDataString(beforeDemotion.ToString("O"))}", Admin);
        Assert.Equal(1, then.GetProperty("knowledge").GetArrayLength());
        Assert.Equal(1, then.GetProperty("latestAging").GetProperty("patterns")[0].GetProperty("lowAgings").GetInt32());
        var nowView = await App.GetJsonAsync<JsonElement>("/api/admin/knowledge", Admin);
        Assert.Equal(0, nowView.GetProperty("knowledge").GetArrayLength());
        await App.GetAsync("/api/admin/knowledge?at=yesterday", Admin, 400);

        // Not promoted again on its all-time figures (still 0.83) while it fails of late: a new holder's turn re-judges it.
        await App.PostTurnAsync(NewUser("h5"), "I prefer fading answers.");
        await SettleAsync();
        Assert.Empty(await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", App.TokenFor(NewUser())));

        await using (var session = Store.QuerySession())
        {
            var demoted = (await session.Events.FetchStreamAsync(KnowledgeStream.Key)).Select(e => e.Data).OfType<PatternDemoted>().Single();
            Assert.Contains("recent success", demoted.Reason);
        }

        var before = await SnapshotAsync();
        await App.PostJsonAsync("/api/admin/projections/rebuild", new { }, Admin, 200);
        await SettleAsync();
        var after = await SnapshotAsync();
        foreach (var (name, json) in before) Assert.True(json == after[name], $"{name} differs after the rebuild");
    }
}
