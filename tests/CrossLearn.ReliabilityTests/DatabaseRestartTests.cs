using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.ReliabilityTests.Infrastructure;
using Xunit.Abstractions;

namespace CrossLearn.ReliabilityTests;

/// <summary>
/// PostgreSQL goes down for 3 s (pg_ctl stop -m fast, then start on the same port) under load: requests meanwhile
/// answer 503 problem+json at once (no hang, no 500), /health says 503, the service recovers by itself within 5 s
/// of PostgreSQL being back, and nothing acknowledged is lost.
/// </summary>
public sealed class DatabaseRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_database_outage_under_load_fails_fast_with_503_and_recovers_within_5_s()
    {
        var seed = Environment.TickCount;
        var users = Enumerable.Range(0, 100).Select(i => $"dbrestart-{seed}-{i:000}").ToList();
        var ledger = new Ledger();
        var postgres = await ReliabilityDatabase.ServerAsync();
        await using var service = await ReliabilityService.StartAsync();

        using var stop = new CancellationTokenSource();
        var load = new LoadClients(service, users, ledger, seed).RunAsync(stop.Token);
        var health = new ConcurrentQueue<(bool Down, HttpStatusCode Status, string? ContentType)>();
        var databaseDown = false;
        using var stopHealth = new CancellationTokenSource();
        var healthPoller = PollHealthAsync(service, () => databaseDown, health, stopHealth.Token);

        await Task.Delay(2000);
        var unavailableBefore = ledger.Unavailable;
        databaseDown = true;
        var outage = Stopwatch.StartNew();
        var outageFrom = ledger.Clock.Elapsed;
        await postgres.RestartAsync(TimeSpan.FromSeconds(3));
        databaseDown = false;
        var outageTo = ledger.Clock.Elapsed;
        // The test's own pooled connections died with the server too.
        Npgsql.NpgsqlConnection.ClearAllPools();
        var back = Stopwatch.StartNew();
        var recovery = await RecoveredAsync(service, TimeSpan.FromSeconds(30));
        var downFor = outage.Elapsed - back.Elapsed;

        await Task.Delay(2000);
        stop.Cancel();
        await load;
        stopHealth.Cancel();
        await healthPoller;

        RunFigures.Record(output, $"database restart: down {downFor.TotalSeconds:0.0} s; 503 answers {ledger.Unavailable - unavailableBefore}, slowest 503 " +
                                  $"{ledger.Slowest503Milliseconds} ms; health 503s while down {health.Count(h => h.Down && h.Status == HttpStatusCode.ServiceUnavailable)}; " +
                                  $"recovered {recovery.TotalSeconds:0.00} s after PostgreSQL was back");
        Assert.True(ledger.Unexpected.IsEmpty,
            $"database down from {outageFrom.TotalSeconds:0.0} s to {outageTo.TotalSeconds:0.0} s; unexpected: {string.Join("; ", ledger.Unexpected)}\nservice log (end):\n{service.Log[^Math.Min(6000, service.Log.Length)..]}");
        Assert.True(ledger.Unavailable > unavailableBefore, "no request met the outage");
        Assert.True(ledger.Slowest503Milliseconds < 10_000, $"a 503 took {ledger.Slowest503Milliseconds} ms: it hung instead of failing fast");
        Assert.Contains(health, h => h.Down && h.Status == HttpStatusCode.ServiceUnavailable && h.ContentType == "application/problem+json");
        Assert.DoesNotContain(health, h => h.Status is not (HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable));
        Assert.True(recovery < TimeSpan.FromSeconds(5), $"recovered only {recovery.TotalSeconds:0.0} s after PostgreSQL was back");

        await Storage.WaitForProjectionsAsync(TimeSpan.FromSeconds(10));
        var figures = await Verification.NothingLostOrDoubledAsync(ledger);
        await Verification.ReadModelsEqualARebuildAsync(service);
        RunFigures.Record(output, $"database restart: turns checked {figures.TurnsChecked}, ratings checked {figures.RatingsChecked}, lost {figures.Lost}, duplicated {figures.Duplicated}");
    }

    private static async Task PollHealthAsync(ServiceProcess service, Func<bool> databaseDown,
        ConcurrentQueue<(bool, HttpStatusCode, string?)> seen, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var down = databaseDown();
            try
            {
                using var response = await service.Http.GetAsync("/health", ct);
                // Only count a reading as "while down" if the database was down for the whole request.
                seen.Enqueue((down && databaseDown(), response.StatusCode, response.Content.Headers.ContentType?.MediaType));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }

            try { await Task.Delay(100, ct); } catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Time until /health is 200 and a turn is recorded again.</summary>
    private static async Task<TimeSpan> RecoveredAsync(ServiceProcess service, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        var token = service.Token("dbrestart-probe");
        while (watch.Elapsed < limit)
        {
            using var health = await service.Http.GetAsync("/health");
            if (health.StatusCode == HttpStatusCode.OK)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/turns")
                {
                    Content = JsonContent.Create(new { userMessage = "Are you back?", aiResponse = "Yes." }),
                    Headers = { { "Authorization", $"Bearer {token}" } }
                };
                using var turn = await service.Http.SendAsync(request);
                if (turn.StatusCode == HttpStatusCode.Created) return watch.Elapsed;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Not recovered {limit.TotalSeconds} s after PostgreSQL was back.");
    }
}
