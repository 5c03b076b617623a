using CrossLearn.Features.Memories;
using CrossLearn.Features.Memories.Reextraction;
using CrossLearn.Features.Turns;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;
using Marten;
using Npgsql;

namespace CrossLearn.Tests.Reextraction;

/// <summary>
/// Re-extraction end to end: turns recorded under older rules (their memories stored with the keys those rules gave)
/// are replayed through the current ones; memories, patterns and knowledge follow.
/// </summary>
public sealed class ReextractionTests(AppFixture app) : IntegrationTest(app)
{
    public sealed record RunDto(Guid RunId, string ExtractorVersion, string Status, int UsersTotal, int UsersDone, int EventsAppended, int Resumes);

    private string Admin => App.TokenFor("boss", Roles.Admin);

    /// <summary>What an older version stored for a turn: the turn and a memory under the key its rules gave.</summary>
    private async Task RecordAsOldRulesDidAsync(string user, string message, string oldKey, bool erase = false)
    {
        var turnId = Guid.CreateVersion7();
        var at = DateTimeOffset.UtcNow;
        await using var session = Store.LightweightSession();
        var events = new List<object>
        {
            new TurnRecorded(user, turnId, $"c-{user}", message, "Noted.", at, [new MemoryLearning.Learned(MemoryTypes.Preference, oldKey, oldKey, 0.9)]),
            new MemoryLearned(user, MemoryTypes.Preference, oldKey, oldKey, 0.9, turnId, at)
        };
        if (erase) events.Add(new MemoryRetracted(user, MemoryTypes.Preference, oldKey, RetractionReasons.ErasedByUser, null, at));
        session.Events.Append(user, events.ToArray());
        await session.SaveChangesAsync();
    }

    private async Task<RunDto> RunToTheEndAsync(int expectedStatus = 202)
    {
        var started = (await App.PostJsonAsync("/api/admin/reextract", new { }, Admin, expectedStatus)).ReadAsJson<RunDto>()!;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var run = await App.GetJsonAsync<RunDto>("/api/admin/reextract", Admin);
            if (run.RunId == started.RunId && run.Status == ReextractionRun.Completed) return run;
            Assert.True(DateTime.UtcNow < deadline, $"run {started.RunId} did not complete: {run}");
            await Task.Delay(50);
        }
    }

    /// <summary>Events in users' streams (not the service's own: runs, erasures, knowledge).</summary>
    private static async Task<long> UserEventCountAsync()
    {
        await using var connection = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand(
            $"SELECT count(*) FROM {EventStore.Schema}.mt_events WHERE NOT starts_with(stream_id, '{UserIds.ReservedPrefix}')", connection);
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Old_keys_move_to_the_new_ones_patterns_follow_and_a_second_run_appends_nothing()
    {
        var (a, b, c) = (NewUser("rx-a"), NewUser("rx-b"), NewUser("rx-c"));
        await RecordAsOldRulesDidAsync(a, "I love cats!", "cats");
        await RecordAsOldRulesDidAsync(b, "I really like my cat", "my cat");
        // C erased what was learned: re-extraction must not bring it back.
        await RecordAsOldRulesDidAsync(c, "I love cats!", "cats", erase: true);
        await SettleAsync();
        Assert.DoesNotContain(await App.GetJsonAsync<List<PatternDto>>("/api/patterns", Admin), p => p.Key == "cat");

        var first = await RunToTheEndAsync();
        Assert.Equal((ExtractorVersion.Current, 3), (first.ExtractorVersion, first.UsersDone));
        await SettleAsync();

        foreach (var user in new[] { a, b })
        {
            var memories = await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(user));
            Assert.Equal("cat", Assert.Single(memories, m => m.Type == "preference").Key);
        }
        Assert.Empty(await App.GetJsonAsync<List<MemoryDto>>("/api/me/memories", App.TokenFor(c)));
        var patterns = await App.GetJsonAsync<List<PatternDto>>("/api/patterns", Admin);
        Assert.Equal(2, patterns.Single(p => p.Key == "cat").UserCount);
        Assert.DoesNotContain(patterns, p => p.Key is "cats" or "my cat");

        // Idempotent: the second run finds nothing to change, and appends nothing to any user's stream.
        var before = await UserEventCountAsync();
        var second = await RunToTheEndAsync();
        Assert.Equal((0, 3), (second.EventsAppended, second.UsersDone));
        Assert.Equal(before, await UserEventCountAsync());

        // A turn after the run is learned with the current rules as usual.
        var turn = await App.PostTurnAsync(a, "I adore kittens.");
        Assert.Contains(turn.Learned, l => l.Key == "cat");
    }

    [Fact]
    public async Task Only_admins_may_reextract_and_a_second_request_while_one_runs_is_409_naming_it()
    {
        foreach (var role in new[] { Roles.User, Roles.Service })
            await App.PostJsonAsync("/api/admin/reextract", new { }, App.TokenFor("someone", role), 403);

        // Another node runs one: it holds the cluster-wide lock, and its run is on record.
        await RecordAsOldRulesDidAsync(NewUser("rx-busy"), "I love cats!", "cats");
        var runId = Guid.CreateVersion7();
        await using (var session = Store.LightweightSession())
        {
            session.Events.StartStream(ReextractionStream.For(runId), new ReextractionStarted(runId, ExtractorVersion.Current, "other-admin", 7, DateTimeOffset.UtcNow),
                new ReextractionProgressed(runId, 0, 3, 7, 5, 0, DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }

        // Not pooled: closing it is that node's death.
        await using var elsewhere = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(await TestDatabase.ConnectionStringAsync()) { Pooling = false }.ConnectionString);
        await elsewhere.OpenAsync();
        await using (var hold = new NpgsqlCommand($"SELECT pg_advisory_lock({WriteLocks.Space}, {WriteLocks.ReextractionKey})", elsewhere))
            await hold.ExecuteNonQueryAsync();
        var conflict = (await App.PostJsonAsync("/api/admin/reextract", new { }, Admin, 409)).Problem();
        Assert.Contains(runId.ToString(), conflict.GetProperty("detail").GetString());
        Assert.Contains("3 of 7 users", conflict.GetProperty("detail").GetString());

        // That node dies (its lock goes with its connection): asking again resumes the same run from its cursor.
        await elsewhere.CloseAsync();
        var resumed = await RunToTheEndAsync();
        Assert.Equal((runId, 1), (resumed.RunId, resumed.Resumes));
        Assert.True(resumed.UsersDone >= 4, $"the resumed run counts on from 3: {resumed.UsersDone}");
    }
}
