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
/// SIGTERM with requests in flight: they finish (201) before the process exits cleanly (exit code 0); the next
/// start resumes the async projections from where they stopped, and the read models equal a rebuild.
/// </summary>
public sealed class GracefulShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sigterm_lets_requests_in_flight_finish_and_the_next_start_resumes_projections()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        await using var service = await ReliabilityService.StartAsync();
        var ledger = new Ledger();
        using (var warm = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
            await new LoadClients(service, Enumerable.Range(0, 20).Select(i => $"term-{run}-{i}").ToList(), ledger, 7).RunAsync(warm.Token);
        await Storage.WaitForProjectionsAsync(TimeSpan.FromSeconds(10));

        // Lock the user's stream from outside (writers lock its row before they decide), so that five turns are provably
        // inside the service, waiting. The user's first turn creates the stream.
        var user = $"term-{run}-held";
        var token = service.Token(user);
        using (var first = await service.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/turns")
               {
                   Content = JsonContent.Create(new { userMessage = "Hello.", aiResponse = "Hi." }),
                   Headers = { { "Authorization", $"Bearer {token}" } }
               }))
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await using var holder = await Storage.OpenAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT 1 FROM crosslearn.mt_streams WHERE id = @user FOR UPDATE", holder, holding))
        {
            hold.Parameters.AddWithValue("user", user);
            Assert.Equal(1, await hold.ExecuteScalarAsync());
        }

        var inFlight = Enumerable.Range(0, 5).Select(i => service.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/turns")
        {
            Content = JsonContent.Create(new { userMessage = $"I prefer green tea number {i}.", aiResponse = "Noted." }),
            Headers = { { "Authorization", $"Bearer {token}" } }
        })).ToList();
        // One user's turns are written one batch after the other by one writer (group commit): the first waits in the
        // database for the row, the other four queue behind it in the service.
        await WaitUntilAsync(async () => await Storage.ScalarAsync(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%mt_streams%for update%'") == 1);
        await Task.Delay(1000);

        var sigterm = Stopwatch.StartNew();
        await service.TerminateAsync();
        await Task.Delay(1000);
        Assert.All(inFlight, request => Assert.False(request.IsCompleted, "a request in flight was cut off by SIGTERM"));
        await holding.RollbackAsync();

        var answers = await Task.WhenAll(inFlight);
        Assert.All(answers, answer => Assert.Equal(HttpStatusCode.Created, answer.StatusCode));
        var turnIds = new List<Guid>();
        foreach (var answer in answers) turnIds.Add((await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("turnId").GetGuid());
        var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var stoppedAfter = sigterm.Elapsed;
        Assert.Equal(0, exitCode);
        Assert.DoesNotContain("crit:", service.Log);
        Assert.DoesNotContain("Unhandled exception", service.Log);

        var events = await Storage.TurnEventCountsAsync();
        Assert.All(turnIds, id => Assert.Equal(1, events.GetValueOrDefault(id)));

        // The next start resumes where the daemon stopped: its position never goes back, and it catches up.
        var stoppedAt = await Storage.SlowestProjectionAsync();
        Assert.True(stoppedAt > 0, "the async projection had not run before the stop");
        var restart = Stopwatch.StartNew();
        await service.StartAgainAsync();
        var lowest = long.MaxValue;
        var newest = await Storage.NewestEventAsync();
        while (true)
        {
            var position = await Storage.SlowestProjectionAsync();
            lowest = Math.Min(lowest, position);
            if (position >= newest) break;
            Assert.True(restart.Elapsed < TimeSpan.FromSeconds(30), "async projections did not catch up after the restart");
            await Task.Delay(50);
        }

        Assert.True(lowest >= stoppedAt, $"the daemon went back from {stoppedAt} to {lowest} instead of resuming");
        await Verification.ReadModelsEqualARebuildAsync(service);
        RunFigures.Record(output, $"graceful shutdown: 5 requests in flight at SIGTERM all answered 201; exit code 0 {stoppedAfter.TotalSeconds:0.0} s after SIGTERM; " +
                                  $"projections resumed from {stoppedAt} (never went back) and caught up to {newest}");
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in 20 s");
            await Task.Delay(50);
        }
    }
}
