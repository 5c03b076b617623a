using System.Text.Json;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;
using Marten;
using Microsoft.Extensions.DependencyInjection;

namespace CrossLearn.Tests.Sharding;

/// <summary>
/// One service over two shard databases (<see cref="ShardPoolFixture"/>): each user's events and documents live in their
/// bucket's database only, every per-user API finds them there, and the global figures sum both databases.
/// </summary>
[Collection(ShardPoolCollection.Name)]
public sealed class ShardPoolTests(ShardPoolFixture pool)
{
    private const string East = ShardPoolFixture.East;
    private const string West = ShardPoolFixture.West;

    private static string Other(string database) => database == East ? West : East;

    [Theory]
    [InlineData(East)]
    [InlineData(West)]
    public async Task A_users_turns_land_in_their_database_only_and_their_own_reads_find_them(string database)
    {
        var user = pool.NewUserIn(database);
        var turn = await pool.PostTurnAsync(user, "I love jazz.");

        Assert.True(await pool.EventsOfAsync(database, user) > 0);
        Assert.Equal(0, await pool.EventsOfAsync(Other(database), user));
        var memories = await pool.GetJsonAsync<List<MemoryDto>>("/api/me/memories", pool.TokenFor(user));
        Assert.Contains(memories, m => m.Key == "jazz");
        var conversations = await pool.GetAsync("/api/me/conversations", pool.TokenFor(user));
        Assert.Contains(turn.TurnId.ToString(), conversations.ReadAsText());
        var me = await pool.GetJsonAsync<MeDto>("/api/me", pool.TokenFor(user));
        Assert.Equal((1, 1), (me.MemoryCount, me.InteractionCount));
        var context = JsonDocument.Parse((await pool.GetAsync("/api/me/context", pool.TokenFor(user))).ReadAsText()).RootElement;
        Assert.Contains(context.GetProperty("memories").EnumerateArray(), m => m.GetProperty("key").GetString() == "jazz");
        var analytics = JsonDocument.Parse((await pool.GetAsync("/api/me/analytics", pool.TokenFor(user))).ReadAsText()).RootElement;
        Assert.Equal(1, analytics.GetProperty("memoryCount").GetInt32());

        // A correction is decided and written in the user's database too.
        await pool.DeleteAsync("/api/me/memories/preference/jazz", pool.TokenFor(user), 204);
        Assert.Empty(await pool.GetJsonAsync<List<MemoryDto>>("/api/me/memories", pool.TokenFor(user)));
        Assert.Equal(0, await pool.EventsOfAsync(Other(database), user));
    }

    [Theory]
    [InlineData(East)]
    [InlineData(West)]
    public async Task An_erasure_removes_the_user_from_their_database(string database)
    {
        var user = pool.NewUserIn(database);
        await pool.PostTurnAsync(user, "My name is Alex and I love chess.");
        Assert.True(await pool.EventsOfAsync(database, user) > 0);

        await pool.EraseMeAsync(user);

        Assert.Equal(0, await pool.EventsOfAsync(database, user));
        Assert.Equal(0, await pool.ScalarAsync(database, $"SELECT count(*) FROM {StoreTables.Of<Features.Memories.Memory>()} WHERE data->>'UserId' = $1", user));
        Assert.Empty(await pool.GetJsonAsync<List<MemoryDto>>("/api/me/memories", pool.TokenFor(user)));
        // The erasure's marker, the last copy of the user id, goes once that database's consumers have passed it.
        await EventuallyAsync(() => pool.ScalarAsync(database, $"SELECT count(*) FROM {StoreTables.Events} WHERE data::text LIKE '%' || $1 || '%'", user),
            n => n == 0, $"the erasure's completion in {database}");
    }

    [Theory]
    [InlineData(East)]
    [InlineData(West)]
    public async Task A_service_posts_and_rates_for_a_user_of_either_database_and_an_admin_reads_them(string database)
    {
        var user = pool.NewUserIn(database);
        var service = pool.TokenFor($"chat-app-{Guid.NewGuid():N}", Roles.Service);

        var posted = await pool.PostJsonAsync("/api/turns", new { userMessage = "I prefer tea.", aiResponse = "Noted.", userId = user }, service, 201);
        var turnId = posted.ReadAsJson<TurnResult>()!.TurnId;
        // The service names no user: the turn's owner is found in whichever database holds the turn.
        await pool.PostJsonAsync($"/api/turns/{turnId}/feedback", new { success = true }, service, 204);

        // TurnRecorded, MemoryLearned, FeedbackGiven.
        Assert.Equal(3, await pool.EventsOfAsync(database, user));
        Assert.Equal(0, await pool.EventsOfAsync(Other(database), user));
        var admin = pool.TokenFor("pool-admin", Roles.Admin);
        var memories = await pool.GetJsonAsync<List<MemoryDto>>($"/api/admin/users/{user}/memories", admin);
        Assert.Equal("tea", Assert.Single(memories).Key);
        var conversations = await pool.GetAsync($"/api/admin/users/{user}/conversations", admin);
        Assert.Contains("\"success\":true", conversations.ReadAsText());
        await pool.GetAsync($"/api/users/{user}/context", service);
        // Another service's turn id is still unknown in both databases.
        await pool.PostJsonAsync($"/api/turns/{Guid.NewGuid()}/feedback", new { success = true }, service, 404);
    }

    [Fact]
    public async Task The_global_figures_sum_both_databases_and_knowledge_they_promote_reaches_users_of_both()
    {
        var holders = new[] { East, East, East, West, West, West }.Select(pool.NewUserIn).ToList();
        foreach (var user in holders)
        for (var i = 0; i < 4; i++)
        {
            var turn = await pool.PostTurnAsync(user, "I love opera.");
            await pool.PostJsonAsync($"/api/turns/{turn.TurnId}/feedback", new { success = true }, pool.TokenFor(user), 204);
        }

        // Each database counts its own three holders; the global side adds them up.
        foreach (var database in new[] { East, West })
            Assert.Equal(3, await EventuallyAsync(() => pool.ScalarAsync(database,
                $"SELECT coalesce(max(user_count), 0) FROM {StoreTables.Of<Pattern>()} WHERE data->>'Key' = 'opera'"), n => n == 3, $"{database}'s pattern"));
        var global = pool.Host.Services.GetRequiredService<IGlobalStore>();
        var figures = await EventuallyAsync(async () =>
        {
            await using var session = global.QuerySession();
            return await session.LoadAsync<GlobalPatternFigures>(GlobalPatternFigures.IdFor(MemoryTypes.Preference, "opera"));
        }, f => f is { Holders: 6, RatedTurns: 24, SuccessfulTurns: 24 }, "the global figures");
        Assert.Equal([East, West], figures!.Shards.Keys.Order());
        Assert.All(figures.Shards.Values, part => Assert.Equal((3, 12, 12), (part.Holders, part.RatedTurns, part.SuccessfulTurns)));

        // Promoted from the sums (no database alone has five holders), and given to a newcomer of either database.
        foreach (var database in new[] { East, West })
        {
            var newcomer = pool.NewUserIn(database);
            await pool.PostTurnAsync(newcomer, "Hello there.");
            await EventuallyAsync(async () =>
                JsonDocument.Parse((await pool.GetAsync("/api/me/context", pool.TokenFor(newcomer))).ReadAsText()).RootElement.GetProperty("knowledge").Clone(),
                k => k.EnumerateArray().Any(item => item.GetProperty("key").GetString() == "opera"), $"knowledge in the context of a user of {database}");
        }
    }

    [Fact]
    public async Task A_rebuild_rebuilds_each_database_and_leaves_every_figure_as_it_was()
    {
        var users = new[] { East, West, West }.Select(pool.NewUserIn).ToList();
        foreach (var user in users)
        {
            var turn = await pool.PostTurnAsync(user, "I love climbing.");
            await pool.PostJsonAsync($"/api/turns/{turn.TurnId}/feedback", new { success = true }, pool.TokenFor(user), 204);
        }

        var global = pool.Host.Services.GetRequiredService<IGlobalStore>();
        async Task<GlobalPatternFigures?> ClimbingAsync()
        {
            await using var session = global.QuerySession();
            return await session.LoadAsync<GlobalPatternFigures>(GlobalPatternFigures.IdFor(MemoryTypes.Preference, "climbing"));
        }
        await EventuallyAsync(ClimbingAsync, f => f is { Holders: 3, SuccessfulTurns: 3 }, "the global figures");
        var memoryRows = new Dictionary<string, long>();
        foreach (var database in new[] { East, West })
            memoryRows[database] = await pool.ScalarAsync(database, $"SELECT count(*) FROM {StoreTables.Of<Memory>()}");

        var rebuilt = JsonDocument.Parse((await pool.PostJsonAsync("/api/admin/projections/rebuild", new { }, pool.TokenFor("pool-admin", Roles.Admin), 200)).ReadAsText()).RootElement;

        var steps = rebuilt.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()!).ToList();
        Assert.Contains(steps, s => s.StartsWith("east: inline folds"));
        Assert.Contains(steps, s => s.StartsWith("west: inline folds"));
        foreach (var database in new[] { East, West })
            Assert.Equal(memoryRows[database], await pool.ScalarAsync(database, $"SELECT count(*) FROM {StoreTables.Of<Memory>()}"));
        foreach (var user in users)
            Assert.Contains(await pool.GetJsonAsync<List<MemoryDto>>("/api/me/memories", pool.TokenFor(user)), m => m.Key == "climbing");
        // Each database's reporter sends its figures again after its rebuild; the sums do not move.
        await Task.Delay(500);
        var after = await EventuallyAsync(ClimbingAsync, f => f is { Holders: 3, SuccessfulTurns: 3 }, "the global figures after the rebuild");
        Assert.Equal(3, after!.RatedTurns);
    }

    [Fact]
    public async Task An_aggregation_counts_the_holders_of_every_database()
    {
        foreach (var user in new[] { East, East, East, West, West, West }.Select(pool.NewUserIn))
        for (var i = 0; i < 4; i++)
        {
            var turn = await pool.PostTurnAsync(user, "I love sailing.");
            await pool.PostJsonAsync($"/api/turns/{turn.TurnId}/feedback", new { success = true }, pool.TokenFor(user), 204);
        }

        var admin = pool.TokenFor("pool-admin", Roles.Admin);
        await EventuallyAsync(async () => (await pool.GetAsync("/api/knowledge", admin)).ReadAsText(), k => k.Contains("\"sailing\""), "the promotion");
        // Wait until each database's pattern has its three holders, so that the recount has nothing in flight to differ on.
        foreach (var database in new[] { East, West })
            await EventuallyAsync(() => pool.ScalarAsync(database,
                $"SELECT coalesce(max(user_count), 0) FROM {StoreTables.Of<Pattern>()} WHERE data->>'Key' = 'sailing'"), n => n == 3, $"{database}'s pattern");

        var summary = JsonDocument.Parse((await pool.PostJsonAsync("/api/admin/aggregate", new { }, admin, 200)).ReadAsText()).RootElement;

        // Counted in one database only, three holders would fall below the demotion threshold (4).
        Assert.Equal(0, summary.GetProperty("demoted").GetInt32());
        Assert.Equal(0, summary.GetProperty("drifted").GetInt32());
        Assert.Contains("\"sailing\"", (await pool.GetAsync("/api/knowledge", admin)).ReadAsText());
    }

    [Fact]
    public async Task A_users_percentiles_rank_them_among_the_users_of_every_database()
    {
        await pool.PostTurnAsync(pool.NewUserIn(East), "I love kayaking.");
        var user = pool.NewUserIn(West);
        await pool.PostTurnAsync(user, "I love kayaking.");

        var analytics = JsonDocument.Parse((await pool.GetAsync("/api/me/analytics", pool.TokenFor(user))).ReadAsText()).RootElement;

        var (everyone, turns) = (0L, 0L);
        foreach (var database in new[] { East, West })
        {
            everyone += await pool.ScalarAsync(database, $"SELECT count(*) FROM {StoreTables.Of<Features.Profile.UserProfile>()}");
            turns += await pool.ScalarAsync(database, $"SELECT coalesce(sum(interaction_count), 0) FROM {StoreTables.Of<Features.Profile.UserProfile>()}");
        }

        Assert.Equal(everyone, analytics.GetProperty("population").GetInt32());
        // The admin's distributions are of the same population.
        var population = JsonDocument.Parse((await pool.GetAsync("/api/admin/analytics", pool.TokenFor("pool-admin", Roles.Admin))).ReadAsText()).RootElement;
        Assert.Equal((everyone, turns), (population.GetProperty("population").GetInt64(), population.GetProperty("interactions").GetInt64()));
        Assert.Equal(everyone, population.GetProperty("interactionCount").GetProperty("buckets").EnumerateArray().Sum(b => b.GetProperty("users").GetInt64()));
    }

    [Fact]
    public async Task Aging_measures_a_pattern_over_the_holders_of_every_database()
    {
        // One holder in each database: neither database alone shows the pattern; together they do.
        await pool.PostTurnAsync(pool.NewUserIn(East), "I love origami.");
        await pool.PostTurnAsync(pool.NewUserIn(West), "I love origami.");
        var admin = pool.TokenFor("pool-admin", Roles.Admin);
        await EventuallyAsync(async () => (await pool.GetAsync("/api/patterns", admin)).ReadAsText(), p => p.Contains("\"origami\""), "the pattern");

        await pool.PostJsonAsync("/api/admin/patterns/age", new { }, admin, 200);

        var origami = JsonDocument.Parse((await pool.GetAsync("/api/patterns", admin)).ReadAsText()).RootElement.EnumerateArray()
            .Single(p => p.GetProperty("key").GetString() == "origami");
        Assert.Equal(2, origami.GetProperty("userCount").GetInt32());
        // Both holders were seen just now: each weighs about 1.
        Assert.Equal(2.0, origami.GetProperty("rank").GetDouble(), 2);
    }

    [Fact]
    public async Task An_experiment_on_a_pattern_held_in_one_database_counts_the_outcomes_of_users_of_both()
    {
        var tag = new string(Guid.NewGuid().ToString("N")[..6].Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16))).ToArray());
        foreach (var holder in new[] { West, West }.Select(pool.NewUserIn)) await pool.PostTurnAsync(holder, $"I prefer {tag} kites.");
        var admin = pool.TokenFor("pool-admin", Roles.Admin);
        var patterns = await EventuallyAsync(async () => JsonDocument.Parse((await pool.GetAsync("/api/patterns", admin)).ReadAsText()).RootElement.Clone(),
            p => p.EnumerateArray().Any(x => x.GetProperty("key").GetString()!.Contains(tag)), "the west pattern");
        var key = patterns.EnumerateArray().Select(x => x.GetProperty("key").GetString()!).Single(k => k.Contains(tag));

        // Known although the first database holds none of it.
        var started = JsonDocument.Parse((await pool.PostJsonAsync("/api/admin/experiments", new { type = "preference", key }, admin, 201)).ReadAsText()).RootElement;
        var experiment = started.GetProperty("experimentId").GetGuid();

        // A user of each database gets a context (in one arm or the other), answers with it and rates the turn.
        foreach (var user in new[] { East, West }.Select(pool.NewUserIn))
        {
            var context = JsonDocument.Parse((await pool.GetAsync("/api/me/context", pool.TokenFor(user))).ReadAsText()).RootElement;
            var turn = (await pool.PostJsonAsync("/api/turns", new { userMessage = "Which?", aiResponse = "This.", contextId = context.GetProperty("contextId").GetString() },
                pool.TokenFor(user), 201)).ReadAsJson<TurnResult>()!;
            await pool.PostJsonAsync($"/api/turns/{turn.TurnId}/feedback", new { success = true }, pool.TokenFor(user), 204);
        }

        var figures = JsonDocument.Parse((await pool.GetAsync($"/api/admin/experiments/{experiment}", admin)).ReadAsText()).RootElement.GetProperty("figures");
        var (treatment, control) = (figures.GetProperty("treatment"), figures.GetProperty("control"));
        Assert.Equal((2, 2), (treatment.GetProperty("users").GetInt32() + control.GetProperty("users").GetInt32(),
            treatment.GetProperty("ratedTurns").GetInt32() + control.GetProperty("ratedTurns").GetInt32()));
        var listed = JsonDocument.Parse((await pool.GetAsync("/api/admin/experiments", admin)).ReadAsText()).RootElement.EnumerateArray()
            .Single(e => e.GetProperty("experimentId").GetGuid() == experiment).GetProperty("figures");
        Assert.Equal(figures.ToString(), listed.ToString());
    }

    [Fact]
    public async Task Clustering_groups_users_of_both_databases_and_writes_each_membership_in_its_users_database()
    {
        var tag = new string(Guid.NewGuid().ToString("N")[..6].Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16))).ToArray());
        var alike = new[] { East, East, East, West, West, West }.Select(pool.NewUserIn).ToList();
        foreach (var user in alike)
        {
            await pool.PostTurnAsync(user, $"I prefer {tag} lemonade.");
            await pool.PostTurnAsync(user, $"I prefer {tag} sonatas.");
        }

        var admin = pool.TokenFor("pool-admin", Roles.Admin);
        var started = JsonDocument.Parse((await pool.PostJsonAsync("/api/admin/clusters/runs", new { }, admin, 202)).ReadAsText()).RootElement.GetProperty("runId").GetGuid();
        await EventuallyAsync(async () => JsonDocument.Parse((await pool.GetAsync("/api/admin/clusters/runs/latest", admin)).ReadAsText()).RootElement.Clone(),
            run => run.GetProperty("runId").GetGuid() == started && run.GetProperty("status").GetString() == "completed", "the clustering run");

        // One cluster for all six, each membership in its user's database, its size counted over both.
        var clusters = new HashSet<int>();
        foreach (var user in alike)
        {
            var mine = JsonDocument.Parse((await pool.GetAsync("/api/me/cluster", pool.TokenFor(user))).ReadAsText()).RootElement;
            clusters.Add(mine.GetProperty("clusterId").GetInt32());
            var database = pool.Map.DatabaseOfUser(user).Name;
            Assert.Equal(1, await pool.ScalarAsync(database, $"SELECT count(*) FROM {StoreTables.Of<Features.Clusters.ClusterMembership>()} WHERE id = $1", user));
            Assert.Equal(0, await pool.ScalarAsync(Other(database), $"SELECT count(*) FROM {StoreTables.Of<Features.Clusters.ClusterMembership>()} WHERE id = $1", user));
        }

        var cluster = Assert.Single(clusters);
        var overview = JsonDocument.Parse((await pool.GetAsync("/api/admin/clusters", admin)).ReadAsText()).RootElement;
        var row = overview.GetProperty("clusters").EnumerateArray().Single(c => c.GetProperty("clusterId").GetInt32() == cluster);
        Assert.True(row.GetProperty("members").GetInt32() >= alike.Count, $"cluster {row}");
        var patterns = JsonDocument.Parse((await pool.GetAsync($"/api/admin/clusters/{cluster}/patterns", admin)).ReadAsText()).RootElement;
        Assert.Contains(patterns.EnumerateArray(), p => p.GetProperty("key").GetString()!.Contains(tag) && p.GetProperty("holders").GetInt32() == alike.Count);
    }

    [Fact]
    public async Task Reextraction_goes_through_the_users_of_every_database_each_in_their_own()
    {
        // What older rules stored, in each user's database: a memory under the old key.
        var (east, west) = (pool.NewUserIn(East), pool.NewUserIn(West));
        var sessions = pool.Host.Services.GetRequiredService<CrossLearn.Platform.Sharding.ShardSessions>();
        foreach (var user in new[] { east, west })
        {
            var (turnId, at) = (Guid.CreateVersion7(), DateTimeOffset.UtcNow);
            await using var session = sessions.WriteFor(user);
            session.Events.Append(user,
                new Features.Turns.TurnRecorded(user, turnId, $"c-{user}", "I love cats!", "Noted.", at, [new MemoryLearning.Learned(MemoryTypes.Preference, "cats", "cats", 0.9)]),
                new MemoryLearned(user, MemoryTypes.Preference, "cats", "cats", 0.9, turnId, at));
            await session.SaveChangesAsync();
        }

        var admin = pool.TokenFor("pool-admin", Roles.Admin);
        var started = JsonDocument.Parse((await pool.PostJsonAsync("/api/admin/reextract", new { }, admin, 202)).ReadAsText()).RootElement.GetProperty("runId").GetGuid();
        var run = await EventuallyAsync(async () => JsonDocument.Parse((await pool.GetAsync("/api/admin/reextract", admin)).ReadAsText()).RootElement.Clone(),
            r => r.GetProperty("runId").GetGuid() == started && r.GetProperty("status").GetString() == "completed", "the re-extraction");

        var users = 0L;
        foreach (var database in new[] { East, West })
            users += await pool.ScalarAsync(database, $"SELECT count(DISTINCT stream_id) FROM {StoreTables.Events} WHERE NOT starts_with(stream_id, $1)", UserIds.ReservedPrefix);
        Assert.Equal(users, run.GetProperty("usersDone").GetInt32());
        foreach (var user in new[] { east, west })
            Assert.Equal("cat", Assert.Single(await pool.GetJsonAsync<List<MemoryDto>>("/api/me/memories", pool.TokenFor(user)), m => m.Type == "preference").Key);
    }

    [Fact]
    public async Task Dead_letters_of_every_database_are_listed_with_their_database()
    {
        var user = pool.NewUserIn(West);
        await pool.PostTurnAsync(user, "I prefer oat milk.");
        var sequence = await RawEvents.AppendAsync(pool.Owner[West], user, "memory_learned", """{"schemaVersion": 99}""");

        var letters = await EventuallyAsync(
            async () => JsonDocument.Parse((await pool.GetAsync("/api/admin/dead-letters", pool.TokenFor("pool-admin", Roles.Admin))).ReadAsText()).RootElement.Clone(),
            all => all.EnumerateArray().Count(l => l.GetProperty("streamId").GetString() == user) == 2, "the west dead letters");
        foreach (var letter in letters.EnumerateArray().Where(l => l.GetProperty("streamId").GetString() == user))
            Assert.Equal((West, sequence, "memory_learned"),
                (letter.GetProperty("database").GetString(), letter.GetProperty("eventSequence").GetInt64(), letter.GetProperty("eventType").GetString()));
    }

    [Fact]
    public async Task The_live_stream_carries_both_databases_and_resumes_in_each_where_it_left_it()
    {
        var (east, west) = (pool.NewUserIn(East), pool.NewUserIn(West));
        var admin = pool.TokenFor("pool-admin", Roles.Admin);
        string position;
        await using (var watching = await Live.SseClient.ConnectAsync(pool.Host, admin))
        await using (var own = await Live.SseClient.ConnectAsync(pool.Host, pool.TokenFor(west)))
        {
            await pool.PostTurnAsync(east, "I love yodelling.");
            await pool.PostTurnAsync(west, "I love zithers.");
            // An admin hears a user of each database; a user hears their own (from their database) and not the other's.
            await watching.WaitForAsync(e => e.Type == "memory.learned" && e.Data.Contains(east));
            var heard = await watching.WaitForAsync(e => e.Type == "memory.learned" && e.Data.Contains(west));
            await own.WaitForAsync(e => e.Type == "memory.learned" && e.Data.Contains("zither"));
            Assert.DoesNotContain(await own.DrainAsync(TimeSpan.FromMilliseconds(500)), e => e.Data.Contains("yodel"));
            // The event id holds a position in each database's feed.
            Assert.Matches(@"^\d+\.\d+$", heard.RawId);
            position = (await watching.DrainAsync(TimeSpan.FromMilliseconds(300)))[^1].RawId;
        }

        // Missed in both databases while nobody listened, and replayed from each on reconnecting.
        await pool.PostTurnAsync(east, "I love xylophones.");
        await pool.PostTurnAsync(west, "I love waltzes.");
        await using var resumed = await Live.SseClient.ConnectAsync(pool.Host, admin, lastEventId: position);
        await resumed.WaitForAsync(e => e.Type == "memory.learned" && e.Data.Contains("xylophone"));
        await resumed.WaitForAsync(e => e.Type == "memory.learned" && e.Data.Contains("waltz"));
        Assert.DoesNotContain(await resumed.DrainAsync(TimeSpan.FromMilliseconds(300)), e => e.Data.Contains("yodel") || e.Data.Contains("zither"));
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{what} did not arrive in 30 s (last: {JsonSerializer.Serialize(value)})");
            await Task.Delay(100);
        }
    }
}
