using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;

namespace CrossLearn.ReliabilityTests.Infrastructure;

/// <summary>What the service acknowledged (201 for a turn, 204 for a rating), and what else it answered.</summary>
public sealed class Ledger
{
    public sealed record AckedTurn(Guid TurnId, string UserId, string UserMessage);

    public ConcurrentDictionary<Guid, AckedTurn> Turns { get; } = new();
    public ConcurrentDictionary<Guid, bool> Ratings { get; } = new();
    public ConcurrentQueue<string> Unexpected { get; } = new();
    public int NoAnswer;
    public int Unavailable;
    public int Retried;
    /// <summary>The slowest 503, in milliseconds: a 503 must come fast, not after a hang.</summary>
    public long Slowest503Milliseconds;
    /// <summary>Since the ledger was made: the moments in <see cref="Unexpected"/> are on this clock.</summary>
    public Stopwatch Clock { get; } = Stopwatch.StartNew();
}

/// <summary>
/// Chat-app clients (a service token naming the user) posting turns and ratings for a population. A request that
/// got no answer (connection refused or reset) or a 503 is sent again, unchanged (same turnId), until answered.
/// </summary>
public sealed class LoadClients(ServiceProcess service, IReadOnlyList<string> users, Ledger ledger, int seed)
{
    private static readonly string[] Topics = ["tea", "coffee", "dark mode", "vim", "python", "tabs", "jazz", "cats"];
    private static readonly string[] Templates =
        ["I prefer {0}.", "I love {0}!", "I hate {0}.", "I think I prefer {0}.", "My name is Sam.", "What is the weather like?", "I prefer {0}."];

    public const int Clients = 8;

    /// <summary>Runs until <paramref name="stop"/>; an operation under way when it fires is finished first.</summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, Clients).Select(i => Task.Run(() => ClientAsync(new Random(seed * 100 + i), stop))));

    private async Task ClientAsync(Random random, CancellationToken stop)
    {
        var token = service.Token("chat-app", Roles.Service);
        while (!stop.IsCancellationRequested)
        {
            var user = users[random.Next(users.Count)];
            var turnId = Guid.NewGuid();
            var message = string.Format(Templates[random.Next(Templates.Length)], Topics[random.Next(Topics.Length)]);
            var body = new { userId = user, userMessage = message, aiResponse = "Noted.", conversationId = $"c-{user}", turnId };

            using (var response = await SendUntilAnsweredAsync("POST /api/turns", () => Post("/api/turns", body, token)))
            {
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    await RecordUnexpectedAsync("POST /api/turns", response);
                    continue;
                }

                var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (answer.GetProperty("turnId").GetGuid() != turnId) ledger.Unexpected.Enqueue($"turn {turnId} answered with {answer}");
                ledger.Turns[turnId] = new Ledger.AckedTurn(turnId, user, message);
            }

            if (random.Next(2) == 0) continue;
            var success = random.Next(4) > 0;
            using var rated = await SendUntilAnsweredAsync("POST feedback", () => Post($"/api/turns/{turnId}/feedback", new { success }, token));
            if (rated.StatusCode == HttpStatusCode.NoContent) ledger.Ratings[turnId] = success;
            else await RecordUnexpectedAsync("POST feedback", rated);
        }
    }

    private static HttpRequestMessage Post(string url, object body, string token) => new(HttpMethod.Post, url)
    {
        Content = JsonContent.Create(body), Headers = { { "Authorization", $"Bearer {token}" } }
    };

    private async Task<HttpResponseMessage> SendUntilAnsweredAsync(string what, Func<HttpRequestMessage> request)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var watch = Stopwatch.StartNew();
            var sentAt = ledger.Clock.Elapsed;
            try
            {
                var response = await service.Http.SendAsync(request());
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable) return response;

                Interlocked.Increment(ref ledger.Unavailable);
                InterlockedMax(ref ledger.Slowest503Milliseconds, watch.ElapsedMilliseconds);
                if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    ledger.Unexpected.Enqueue($"503 without problem+json: {response.Content.Headers.ContentType}");
                response.Dispose();
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref ledger.NoAnswer);
            }
            catch (TaskCanceledException)
            {
                // The client's timeout: the service hung. Counted, and the request is sent again.
                ledger.Unexpected.Enqueue($"{what} sent at {sentAt.TotalSeconds:0.0} s hung until the client's 30 s timeout");
            }

            Interlocked.Increment(ref ledger.Retried);
            if (DateTime.UtcNow > deadline) throw new TimeoutException("No answer for 120 s.");
            await Task.Delay(100);
        }
    }

    private async Task RecordUnexpectedAsync(string what, HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        ledger.Unexpected.Enqueue($"{what}: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while ((seen = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }
}

/// <summary>The checks after a fault: nothing acknowledged lost or doubled, every read model equal to a rebuild.</summary>
public static class Verification
{
    public sealed record Figures(int TurnsChecked, int RatingsChecked, int Lost, int Duplicated);

    public static async Task<Figures> NothingLostOrDoubledAsync(Ledger ledger)
    {
        var events = await Storage.TurnEventCountsAsync();
        var turns = await Storage.TurnsAsync();
        var ratingEvents = await Storage.FeedbackEventCountsAsync();

        var lost = ledger.Turns.Values.Where(t => !events.ContainsKey(t.TurnId) || !turns.ContainsKey(t.TurnId)).ToList();
        var doubled = events.Where(e => e.Value > 1).Select(e => e.Key).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged turns are missing, e.g. {lost.FirstOrDefault()}");
        Assert.True(doubled.Count == 0, $"{doubled.Count} turns are stored more than once, e.g. {doubled.FirstOrDefault()}");

        foreach (var acked in ledger.Turns.Values)
        {
            var stored = turns[acked.TurnId];
            Assert.Equal((acked.UserId, acked.UserMessage), (stored.UserId, stored.UserMessage));
        }

        // Each turn was rated at most once, with one value: retries must not add a second rating event.
        foreach (var (turnId, success) in ledger.Ratings)
        {
            Assert.Equal(success, turns[turnId].Success);
            Assert.Equal(1, ratingEvents.GetValueOrDefault(turnId));
        }

        return new Figures(ledger.Turns.Count, ledger.Ratings.Count, lost.Count, doubled.Count);
    }

    /// <summary>
    /// Aggregates (so knowledge reflects every pattern), snapshots every read model, rebuilds them all through the
    /// admin endpoint and compares. Returns how long the rebuild and its steps took, as the service reported it.
    /// </summary>
    public static async Task<string> ReadModelsEqualARebuildAsync(ServiceProcess service)
    {
        var admin = service.Token("reliability-admin", Roles.Admin);
        await Storage.WaitForProjectionsAsync(TimeSpan.FromSeconds(60));
        await PostAdminAsync(service, "/api/admin/aggregate", admin);
        var before = await Storage.SnapshotAsync();

        using var rebuilt = JsonDocument.Parse(await PostAdminAsync(service, "/api/admin/projections/rebuild", admin));
        await Storage.WaitForProjectionsAsync(TimeSpan.FromSeconds(60));
        var after = await Storage.SnapshotAsync();

        Assert.True(before["mt_doc_turn"].Count > 0, "nothing to compare");
        Assert.True(after["mt_doc_turn"].Count > 0, "the rebuild left no turns");
        var difference = Storage.Difference(before, after);
        Assert.True(difference == null, $"a read model differs from its rebuild: {difference}");
        var steps = rebuilt.RootElement.GetProperty("steps").EnumerateArray()
            .Select(step => $"{step.GetProperty("name").GetString()} {step.GetProperty("seconds").GetDouble():0.00} s");
        var root = rebuilt.RootElement;
        return $"{root.GetProperty("seconds").GetDouble():0.00} s over {root.GetProperty("streams").GetInt32()} streams, " +
               $"{root.GetProperty("events").GetInt32()} events ({string.Join("; ", steps)})";
    }

    /// <summary>
    /// Longer than the client's usual 30 s: a rebuild may wait up to 30 s for this node's daemon before it answers 503,
    /// and a rebuild that did not answer at all must show the service's log, not only the client's timeout.
    /// </summary>
    private static readonly TimeSpan AdminTimeout = TimeSpan.FromMinutes(3);

    private static async Task<string> PostAdminAsync(ServiceProcess service, string url, string token)
    {
        using var http = new HttpClient { BaseAddress = service.Address, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Headers = { { "Authorization", $"Bearer {token}" } } };
        using var deadline = new CancellationTokenSource(AdminTimeout);
        var asked = Stopwatch.StartNew();
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"{url}: no answer in {AdminTimeout.TotalSeconds} s\n{service.Log[Math.Max(0, service.Log.Length - 6000)..]}");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            // A failure quotes the end of the service's log: the 500's cause is only there.
            Assert.True(response.IsSuccessStatusCode,
                $"{url}: {(int)response.StatusCode} after {asked.Elapsed.TotalSeconds:0.0} s {body}\n{LastFailure(service.Log)}");
            return body;
        }
    }

    /// <summary>The service's last logged failure, from its first line (the message) on.</summary>
    private static string LastFailure(string log)
    {
        var at = log.LastIndexOf("fail:", StringComparison.Ordinal);
        var from = at >= 0 ? at : Math.Max(0, log.Length - 3000);
        return log[from..Math.Min(log.Length, from + 3000)];
    }
}
