using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.ReliabilityTests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace CrossLearn.ReliabilityTests;

/// <summary>
/// Events the service cannot apply, stored behind its back in the middle of live traffic: each is dead-lettered with
/// its reason and skipped by the pattern projection and the live feed; every later turn is still learned, the daemon
/// keeps running (across a SIGKILL too), an admin lists the dead letters, and the read models equal a rebuild.
/// </summary>
public sealed class PoisonEventTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Events_a_projection_cannot_apply_are_dead_lettered_and_skipped_and_learning_goes_on()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var topic = $"poison-proof {run}";
        var users = Enumerable.Range(0, 12).Select(i => $"poison-{run}-{i:00}").ToList();
        var poisoned = users[0];
        await using var service = await ReliabilityService.StartAsync();

        await PostTurnAsync(service, poisoned, "I prefer oat milk.");
        var poison = new Dictionary<long, string>
        {
            // A version this service does not know.
            [await AppendRawEventAsync(poisoned, "memory_learned", $$"""{"schemaVersion": 99, "topic": "{{run}}"}""")] = "EventDeserializationFailureException",
            // A body of the wrong shape: a rating that is no bool. (Its turn id is a guid: the other tests of this run
            // read every stored rating's turn id from the same database.)
            [await AppendRawEventAsync(poisoned, "feedback_given", $$"""{"UserId": "{{poisoned}}", "TurnId": "{{Guid.NewGuid()}}", "Success": "very", "PreviousSuccess": null, "GivenAt": "2026-01-01T00:00:00Z"}""")] = "EventDeserializationFailureException",
            // Well formed, but speaking for another user than its stream's (applied, the pattern would have 13 holders).
            [await AppendRawEventAsync(poisoned, "memory_learned", $$"""{"UserId": "poison-{{run}}-outsider", "Type": "preference", "Key": "{{topic}}", "Value": "{{run}}", "Confidence": 0.9, "TurnId": "{{Guid.NewGuid()}}", "LearnedAt": "2026-01-01T00:00:00Z"}""")] = "UnknownEventShapeException",
        };

        // Right after the poison, in parallel: half the users teach the pattern and rate a turn.
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(users.Take(6).Select(user => TeachAsync(service, user, topic)));
        var caughtUp = await Storage.WaitForProjectionsAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(6, await PatternUsersAsync(service, topic, 6));

        // The daemon survives being killed with the poison behind it: the next start goes on from where it was.
        await service.KillAsync();
        await service.StartAgainAsync();
        await Task.WhenAll(users.Skip(6).Select(user => TeachAsync(service, user, topic)));
        var caughtUpAfterRestart = await Storage.WaitForProjectionsAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(12, await PatternUsersAsync(service, topic, 12));
        Assert.True(await Storage.SlowestProjectionAsync() >= await Storage.NewestEventAsync());

        var admin = service.Token("reliability-admin", Roles.Admin);
        var letters = await DeadLettersAsync(service, admin, run);
        foreach (var (sequence, reason) in poison)
        foreach (var projection in new[] { "Patterns", "LiveFeed" })
        {
            var letter = Assert.Single(letters, l => l.GetProperty("projection").GetString() == projection && l.GetProperty("eventSequence").GetInt64() == sequence);
            Assert.Equal(poisoned, letter.GetProperty("streamId").GetString());
            Assert.Contains(reason, letter.GetProperty("reason").GetString());
        }

        Assert.Equal(6, letters.Count(l => l.GetProperty("streamId").GetString() == poisoned));
        foreach (var role in new[] { Roles.User, Roles.Service })
        {
            using var refused = await GetAsync(service, "/api/admin/dead-letters", service.Token("someone", role));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        await Verification.ReadModelsEqualARebuildAsync(service);
        using (var health = await service.Http.GetAsync("/health")) Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.DoesNotContain("is not running because of a failure", service.Log);

        RunFigures.Record(output,
            $"poison events: {poison.Count} stored among the turns of {users.Count} users; dead letters listed {letters.Count(l => l.GetProperty("streamId").GetString() == poisoned)} " +
            $"(pattern projection and live feed, each event once); projections caught up {caughtUp.TotalSeconds:0.00} s after the last turn, " +
            $"{caughtUpAfterRestart.TotalSeconds:0.00} s after the last turn once SIGKILLed and started again; pattern holders 12 of 12; " +
            $"whole test {watch.Elapsed.TotalSeconds:0.0} s");
    }

    private static async Task<long> AppendRawEventAsync(string streamId, string type, string json) =>
        await RawEvents.AppendAsync(await ReliabilityDatabase.ConnectionStringAsync(), streamId, type, json);

    private static async Task TeachAsync(ServiceProcess service, string user, string topic)
    {
        await PostTurnAsync(service, user, $"I prefer {topic}.");
        var turnId = await PostTurnAsync(service, user, "Thanks, that helps.");
        using var rating = await service.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/turns/{turnId}/feedback")
        {
            Content = JsonContent.Create(new { success = true }), Headers = { { "Authorization", $"Bearer {service.Token(user)}" } }
        });
        Assert.Equal(HttpStatusCode.NoContent, rating.StatusCode);
    }

    private static async Task<Guid> PostTurnAsync(ServiceProcess service, string user, string message)
    {
        using var response = await service.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/turns")
        {
            Content = JsonContent.Create(new { userMessage = message, aiResponse = "Noted." }),
            Headers = { { "Authorization", $"Bearer {service.Token(user)}" } }
        });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("turnId").GetGuid();
    }

    /// <summary>The pattern's holders shown, once they are <paramref name="expected"/> (or after the bound).</summary>
    private static async Task<int> PatternUsersAsync(ServiceProcess service, string topic, int expected) =>
        Patterns.HoldersOf(await Patterns.OnceAsync(service, all => Patterns.HoldersOf(all, topic) == expected), topic);

    private static async Task<List<JsonElement>> DeadLettersAsync(ServiceProcess service, string admin, string run)
    {
        using var response = await GetAsync(service, "/api/admin/dead-letters", admin);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        // Never the payload: only the user ids carry the run's mark.
        Assert.DoesNotContain(run, text.Replace($"poison-{run}", ""));
        return JsonDocument.Parse(text).RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private static Task<HttpResponseMessage> GetAsync(ServiceProcess service, string url, string token) =>
        service.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Authorization", $"Bearer {token}" } } });
}
