using System.Text.Json;
using Alba;
using CrossLearn.Features.Experiments;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Profile;
using CrossLearn.Features.Turns;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CrossLearn.Tests.Learning;

public sealed class AdminTests(AppFixture app) : IntegrationTest(app)
{
    public static TheoryData<string, string> AdminEndpoints => new()
    {
        { "GET", "/api/admin/users/someone/memories" }, { "GET", "/api/admin/users/someone/analytics" },
        { "GET", "/api/admin/users/someone/conversations" }, { "GET", "/api/admin/analytics" },
        { "POST", "/api/admin/aggregate" }, { "POST", "/api/admin/projections/rebuild" }, { "GET", "/api/admin/dead-letters" },
        { "GET", "/api/admin/experiments" }, { "GET", "/api/admin/knowledge" }
    };

    [Theory, MemberData(nameof(AdminEndpoints))]
    public async Task Only_admins_may_call_admin_endpoints(string method, string url)
    {
        foreach (var (role, expected) in new[] { (Roles.User, 403), (Roles.Service, 403), (Roles.Admin, 200) })
        {
            await Host.Scenario(s =>
            {
                if (method == "GET") s.Get.Url(url); else s.Post.Json(new { }).ToUrl(url);
                s.WithRequestHeader("Authorization", $"Bearer {App.TokenFor($"caller-{role}", role)}");
                s.StatusCodeShouldBe(expected);
            });
        }
    }

    [Fact]
    public async Task An_admin_reads_a_users_memories_as_they_stood_at_a_past_moment()
    {
        var user = NewUser();
        await App.PostTurnAsync(user, "I prefer tea.");
        await Task.Delay(50);
        var before = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        await App.PostTurnAsync(user, "I hate tea. I prefer coffee.");

        var admin = App.TokenFor("auditor", Roles.Admin);
        var now = await App.GetJsonAsync<List<MemoryDto>>($"/api/admin/users/{user}/memories", admin);
        Assert.Equal([("preference", "coffee"), ("negative_preference", "tea")], now.Select(m => (m.Type, m.Key)).OrderBy(x => x.Key));

        var then = await App.GetJsonAsync<List<MemoryDto>>(
            $"/api/admin/users/{user}/memories?at={Uri.EscapeDataString(before.ToString("O"))}", admin);
        Assert.Equal([("preference", "tea")], then.Select(m => (m.Type, m.Key)));

        var conversations = await App.GetJsonAsync<List<ConversationDto>>($"/api/admin/users/{user}/conversations", admin);
        Assert.Equal(2, conversations.Sum(c => c.Turns.Count));

        (await App.GetAsync($"/api/admin/users/{user}/memories?at=yesterday", admin, 400)).Problem();
    }

    [Fact]
    public async Task Aggregation_records_decisions_and_rerunning_it_changes_nothing()
    {
        foreach (var user in Enumerable.Range(0, 5).Select(i => NewUser($"agg{i}")))
            await App.TeachAsync(user, "I prefer concise answers.", LearningScenario.Ratings(4, 0));
        await SettleAsync();

        var admin = App.TokenFor("boss", Roles.Admin);
        var first = (await App.PostJsonAsync("/api/admin/aggregate", new { }, admin, 200)).ReadAsJson<AggregationDto>()!;
        Assert.Equal(("boss", 1, 1, 1, 0, 0, 0), (first.RequestedBy, first.Patterns, first.GlobalPatterns, first.Knowledge, first.Promoted, first.Demoted, first.Drifted));

        var knowledgeBefore = await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", admin);
        var second = (await App.PostJsonAsync("/api/admin/aggregate", new { }, admin, 200)).ReadAsJson<AggregationDto>()!;
        Assert.Equal((0, 0, 1), (second.Promoted, second.Demoted, second.Knowledge));
        Assert.Equal(knowledgeBefore, await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", admin));

        await using var session = Store.QuerySession();
        var recorded = await session.Events.FetchStreamAsync(KnowledgeStream.Key);
        Assert.Equal(2, recorded.Count(e => e.Data is AggregationCompleted { RequestedBy: "boss" }));
        Assert.Equal(1, recorded.Count(e => e.Data is PatternPromoted));
    }

    [Fact]
    public async Task Aggregation_promotes_what_the_watcher_has_not_yet_and_demotes_orphaned_knowledge()
    {
        // Knowledge appended by hand with no holders behind it: aggregation must demote it.
        await using (var session = Store.LightweightSession())
        {
            session.Events.Append(KnowledgeStream.Key, new PatternPromoted("preference", "ghost", 5, 20, 1.0, DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }

        var summary = (await App.PostJsonAsync("/api/admin/aggregate", new { }, App.TokenFor("boss", Roles.Admin), 200)).ReadAsJson<AggregationDto>()!;
        Assert.Equal((0, 1, 0), (summary.Promoted, summary.Demoted, summary.Knowledge));
        Assert.Empty(await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", App.TokenFor("boss", Roles.Admin)));
    }

    [Fact]
    public async Task A_rebuild_of_every_projection_gives_back_the_same_read_models()
    {
        var users = Enumerable.Range(0, 200).Select(i => $"rb-{i:D3}").ToList();
        var random = new Random(5);
        await users.InParallelAsync(8, async user =>
        {
            var topic = new[] { "tea", "coffee", "dark mode", "vim" }[random.Next(4)];
            await App.TeachAsync(user, $"I prefer {topic}. My name is {user}.", LearningScenario.Ratings(random.Next(0, 5), random.Next(0, 2)));
            if (random.Next(5) == 0) await App.PostTurnAsync(user, $"I hate {topic}.");
            if (random.Next(7) == 0) await App.DeleteAsync($"/api/me/memories/personal_info/name", App.TokenFor(user), 204);
        });
        await SettleAsync();
        Assert.NotEmpty(await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", App.TokenFor("x")));
        // Experiments are on the knowledge stream: one running, one stopped.
        var admin = App.TokenFor("boss", Roles.Admin);
        await App.PostJsonAsync("/api/admin/experiments", new { type = "preference", key = "tea", treatmentShare = 0.3 }, admin, 201);
        var stopped = (await App.PostJsonAsync("/api/admin/experiments", new { type = "preference", key = "vim" }, admin, 201)).ReadAsJson<ExperimentDto>()!;
        await App.PostJsonAsync($"/api/admin/experiments/{stopped.ExperimentId}/stop", new { }, admin, 200);

        var before = await SnapshotAsync();
        Assert.Contains("\"TreatmentShare\":0.3", before["experiments"]);
        // Lost read models come back from the events: the experiments are folded again from the knowledge stream.
        await using (var damage = Store.LightweightSession())
        {
            damage.DeleteWhere<Experiment>(e => true);
            await damage.SaveChangesAsync();
        }
        var result = await App.PostJsonAsync("/api/admin/projections/rebuild", new { }, App.TokenFor("boss", Roles.Admin), 200);
        Assert.Contains(PatternProjection.Name, result.ReadAsText());
        await SettleAsync();
        var after = await SnapshotAsync();

        foreach (var (name, json) in before) AssertSame(name, json, after[name]);
    }

    [Fact]
    public async Task Writers_go_on_while_a_rebuild_runs_and_wait_only_for_the_batch_that_holds_their_stream()
    {
        var admin = App.TokenFor("boss", Roles.Admin);
        var (early, held, fresh) = (NewUser("early"), NewUser("held"), NewUser("fresh"));
        await App.PostTurnAsync(early, "I prefer jazz.");
        // More streams than a batch between the two: the early user's batch is refolded and let go before the held user's.
        await using (var session = Store.LightweightSession())
        {
            foreach (var filler in Enumerable.Range(0, StreamRefolder.StreamsPerBatch).Select(_ => NewUser("filler")))
                session.Events.StartStream(filler, new TurnRecorded(filler, Guid.NewGuid(), "c1", "Hello", "Hi", DateTimeOffset.UtcNow, []));
            await session.SaveChangesAsync();
        }
        await App.PostTurnAsync(held, "I prefer chess.");

        await RebuildWhileHoldingAsync(held, async () =>
        {
            // The rebuild waits for the held stream's batch; an earlier user's turn and a new user's first are answered meanwhile.
            await App.PostTurnAsync(early, "I prefer blues.");
            await App.PostTurnAsync(fresh, "I prefer salsa.");
        });
        await SettleAsync();
        var figures = new List<(int, int)>();
        foreach (var user in new[] { early, held, fresh })
        {
            var me = await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(user));
            figures.Add((me.InteractionCount, me.MemoryCount));
        }
        Assert.Equal([(2, 2), (1, 1), (1, 1)], figures);
        var patterns = await App.GetJsonAsync<List<PatternDto>>("/api/patterns", admin);
        Assert.DoesNotContain(patterns, p => p.Key is "blues" or "salsa" && p.UserCount > 1);
    }

    [Fact]
    public async Task Turns_and_ratings_during_a_rebuild_count_once_in_the_patterns()
    {
        var admin = App.TokenFor("boss", Roles.Admin);
        var (early, held, newcomer) = (NewUser("early"), NewUser("held"), NewUser("newcomer"));
        await App.TeachAsync(early, "I prefer jazz.", true);
        // The early user's batch is refolded before the held user's: what they do meanwhile comes after their refold.
        await using (var session = Store.LightweightSession())
        {
            foreach (var filler in Enumerable.Range(0, StreamRefolder.StreamsPerBatch * StreamRefolder.Workers).Select(_ => NewUser("filler")))
                session.Events.StartStream(filler, new TurnRecorded(filler, Guid.NewGuid(), "c1", "Hello", "Hi", DateTimeOffset.UtcNow, []));
            await session.SaveChangesAsync();
        }
        await App.TeachAsync(held, "I prefer jazz.", false);
        await SettleAsync();

        await RebuildWhileHoldingAsync(held, async () =>
        {
            // While the patterns' daemon batches wait: a refolded user rates and says it again, a user the rebuild
            // never listed joins. The daemon goes on after the rebuild and must count each exactly once.
            await App.TeachAsync(early, "I prefer jazz.", true, true);
            await App.TeachAsync(newcomer, "I prefer jazz.", false);
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.True(await Sql.ScalarAsync($"SELECT max(seq_id) FROM {StoreTables.Events} WHERE stream_id = @user", newcomer)
                        > await Sql.ScalarAsync($"SELECT last_seq_id FROM {StoreTables.Progression} WHERE name = '{PatternProjection.Name}:All' AND @user IS NOT NULL", newcomer),
                "the patterns' daemon went on during the rebuild");
        });
        await SettleAsync();
        Assert.Equal(JasperFx.AgentStatus.Running, PatternsAgent()?.Status);
        var jazz = Assert.Single(await App.GetJsonAsync<List<PatternDto>>("/api/patterns", admin), p => p.Key == "jazz");
        // Holders: early (3 ratings, all successful), held (1 failed), newcomer (1 failed).
        Assert.Equal((3, 0.6), (jazz.UserCount, jazz.SuccessRate));

        // And it is what a rebuild with nothing going on gives.
        var before = await SnapshotAsync();
        await App.PostJsonAsync("/api/admin/projections/rebuild", new { }, admin, 200);
        await SettleAsync();
        var after = await SnapshotAsync();
        foreach (var (name, json) in before) AssertSame(name, json, after[name]);
    }

    [Fact]
    public async Task A_rebuild_removes_documents_no_event_gives_any_more()
    {
        var (user, quiet) = (NewUser(), NewUser("quiet"));
        await App.PostTurnAsync(user, "I prefer jazz.");
        await using (var session = Store.LightweightSession())
        {
            // A stream with no event a profile counts (a reinforcement of nothing held).
            session.Events.Append(quiet, new MemoryReinforced(quiet, "preference", "jazz", "jazz", 0.9, Guid.NewGuid(), DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }
        // What an older version of a projection may have left: a memory and a profile no event of theirs gives.
        await using (var session = Store.LightweightSession())
        {
            session.Store(new Memory { Id = Memory.IdFor(user, "preference", "left over"), UserId = user, Type = "preference", Key = "left over", Value = "x" });
            session.Store(new UserProfile { Id = quiet, MemoryCount = 7 });
            await session.SaveChangesAsync();
        }

        await App.PostJsonAsync("/api/admin/projections/rebuild", new { }, App.TokenFor("boss", Roles.Admin), 200);
        await SettleAsync();

        await using var query = Store.QuerySession();
        Assert.Equal(["jazz"], (await query.Query<Memory>().Where(m => m.UserId == user).ToListAsync()).Select(m => m.Key));
        Assert.Null(await query.LoadAsync<UserProfile>(quiet));
    }

    /// <summary>
    /// Runs a rebuild with <paramref name="held"/>'s stream row locked from outside (as one of their writers holds it while
    /// it decides), does <paramref name="meanwhile"/> once the rebuild waits for that row, then lets it go on.
    /// </summary>
    private async Task RebuildWhileHoldingAsync(string held, Func<Task> meanwhile)
    {
        Task<IScenarioResult> rebuild;
        await using (var outside = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync()))
        {
            await outside.OpenAsync();
            await using var transaction = await outside.BeginTransactionAsync();
            await using (var hold = new NpgsqlCommand($"SELECT 1 FROM {StoreTables.Streams} WHERE id = @user FOR UPDATE", outside, transaction))
            {
                hold.Parameters.AddWithValue("user", held);
                await hold.ExecuteNonQueryAsync();
            }

            rebuild = App.PostJsonAsync("/api/admin/projections/rebuild", new { }, App.TokenFor("boss", Roles.Admin), 200);
            await UntilTheRebuildWaitsForAStreamAsync(outside, transaction);
            await meanwhile();
            Assert.False(rebuild.IsCompleted, "the rebuild ended while a stream it must refold was held");
            await transaction.CommitAsync();
        }

        await rebuild;
    }

    /// <summary>This node's agent of the pattern projection, if it has one.</summary>
    private JasperFx.Events.Daemon.ISubscriptionAgent? PatternsAgent() =>
        Host.Services.GetRequiredService<Marten.Events.Daemon.Coordination.IProjectionCoordinator>()
            .DaemonForDatabase(Host.Services.GetRequiredService<CrossLearn.Platform.Sharding.ShardMap>().Databases[0].Name).AsTask().Result
            .CurrentAgents().SingleOrDefault(a => a.Name.Name == PatternProjection.Name);

    /// <summary>Until the rebuild's lock of a batch of streams waits for the row held on <paramref name="outside"/>.</summary>
    private static async Task UntilTheRebuildWaitsForAStreamAsync(NpgsqlConnection outside, NpgsqlTransaction transaction)
    {
        for (var attempt = 0; attempt < 600; attempt++)
        {
            // Only the rebuild reads that row; a query's text may be hidden from another role, its blocker is not.
            await using var waiting = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))", outside, transaction);
            if ((long)(await waiting.ExecuteScalarAsync())! > 0) return;
            await Task.Delay(100);
        }

        Assert.Fail("the rebuild never came to the held stream");
    }

    /// <summary>Names the read model and quotes where the two serialisations part.</summary>
    private static void AssertSame(string name, string before, string after)
    {
        if (before == after) return;
        var at = before.Zip(after).TakeWhile(pair => pair.First == pair.Second).Count();
        string Around(string json) => json.Substring(Math.Max(0, at - 150), Math.Min(300, json.Length - Math.Max(0, at - 150)));
        Assert.Fail($"{name} differs after the rebuild at character {at}:\nbefore: {Around(before)}\nafter:  {Around(after)}");
    }

    [Fact]
    public async Task Turns_after_a_rebuild_still_reach_the_patterns()
    {
        await App.TeachAsync(NewUser(), "I prefer tea.", LearningScenario.Ratings(1, 0));
        await SettleAsync();
        await App.PostJsonAsync("/api/admin/projections/rebuild", new { }, App.TokenFor("boss", Roles.Admin), 200);

        // A rebuild stops the patterns' shard; the endpoint starts it again before answering.
        Assert.Equal(JasperFx.AgentStatus.Running, PatternsAgent()?.Status);

        foreach (var user in new[] { NewUser(), NewUser() }) await App.PostTurnAsync(user, "I prefer oat milk.");
        await SettleAsync();
        await using var session = Store.QuerySession();
        var pattern = await session.LoadAsync<Pattern>(Pattern.IdFor("preference", "oat milk"));
        Assert.Equal(2, pattern?.UserCount);
    }

    [Fact]
    public async Task A_memory_retracted_and_learned_again_survives_a_rebuild()
    {
        // Found by the crash test: a rebuild applies a user's events in one batch, and a retraction followed by the
        // same memory learned again must leave the memory, as it did live.
        var user = NewUser();
        await App.PostTurnAsync(user, "I prefer jazz.");
        await App.PostTurnAsync(user, "I hate jazz.");
        await App.PostTurnAsync(user, "I prefer jazz.");
        var live = await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user));
        Assert.Equal([("preference", "jazz")], live.Select(m => (m.Type, m.Key)));
        await SettleAsync();

        var before = await SnapshotAsync();
        await App.PostJsonAsync("/api/admin/projections/rebuild", new { }, App.TokenFor("boss", Roles.Admin), 200);
        await SettleAsync();
        var after = await SnapshotAsync();

        foreach (var (name, json) in before) Assert.True(json == after[name], $"{name} differs after the rebuild");
        var rebuilt = await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user));
        Assert.Equal([("preference", "jazz")], rebuilt.Select(m => (m.Type, m.Key)));
    }

    [Fact]
    public async Task Knowledge_demoted_and_promoted_again_survives_a_rebuild_that_replays_it_in_one_batch()
    {
        var users = Enumerable.Range(0, 5).Select(i => NewUser($"flap{i}")).ToList();
        foreach (var user in users) await App.TeachAsync(user, "I prefer flapping answers.", LearningScenario.Ratings(4, 0));
        await SettleAsync();
        foreach (var user in users.Take(2)) await App.DeleteAsync("/api/me/memories/preference/flapping%20answer", App.TokenFor(user), 204);
        await SettleAsync();
        Assert.Empty(await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", App.TokenFor("x")));
        foreach (var user in users.Take(2)) await App.PostTurnAsync(user, "I prefer flapping answers.");
        await SettleAsync();
        Assert.Single(await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", App.TokenFor("x")));

        await App.PostJsonAsync("/api/admin/projections/rebuild", new { }, App.TokenFor("boss", Roles.Admin), 200);
        await SettleAsync();
        Assert.Equal(5, Assert.Single(await App.GetJsonAsync<List<KnowledgeDto>>("/api/knowledge", App.TokenFor("x"))).UserCount);
        await using var session = Store.QuerySession();
        var decisions = (await session.Events.FetchStreamAsync(KnowledgeStream.Key)).Select(e => e.Data.GetType().Name).ToList();
        Assert.Equal(["PatternPromoted", "PatternDemoted", "PatternPromoted"], decisions);
    }
}
