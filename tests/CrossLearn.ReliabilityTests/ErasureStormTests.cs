using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.ReliabilityTests.Infrastructure;
using Xunit.Abstractions;

namespace CrossLearn.ReliabilityTests;

/// <summary>
/// Users erase their accounts while their chat app keeps posting turns, ratings and exports for them: 12 users, 4
/// writers each and an eraser each, for 40 s, against the real process. Every request answers cleanly (no 5xx, none
/// over 10 s), and afterwards nothing of any user is left, no pattern counts them, and a new turn starts clean.
/// </summary>
public sealed class ErasureStormTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Users = 12;
    private const int WritersPerUser = 4;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan SlowestAllowed = TimeSpan.FromSeconds(10);
    private static readonly string[] Topics = ["storm jazz", "storm chess", "storm cocoa"];

    private ServiceProcess _service = null!;
    private readonly ConcurrentQueue<string> _unexpected = new();
    private readonly ConcurrentDictionary<string, int> _answers = new();
    private long _slowestMilliseconds;

    public async Task InitializeAsync() => _service = await ReliabilityService.StartAsync();

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task Erasing_while_the_chat_app_keeps_writing_is_clean_fast_and_complete()
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var users = Enumerable.Range(0, Users).Select(i => $"storm-{run}-{i:00}").ToList();
        var chatApp = _service.Token("chat-app", Roles.Service);
        using var stop = new CancellationTokenSource(Duration);

        var work = users.SelectMany((user, u) => Enumerable.Range(0, WritersPerUser)
                .Select(w => Task.Run(() => WriterAsync(user, chatApp, new Random(u * 10 + w), stop.Token)))
                .Append(Task.Run(() => EraserAsync(user, new Random(1000 + u), stop.Token))))
            .ToList();
        await Task.WhenAll(work);

        // The last word is an erasure of everyone, with the writers stopped.
        foreach (var user in users) await SendAsync("DELETE /api/me", () => Erase(user), [HttpStatusCode.NoContent]);
        var settle = Stopwatch.StartNew();
        await Storage.WaitForProjectionsAsync(TimeSpan.FromSeconds(30));
        while (await Storage.PendingErasuresAsync() > 0)
        {
            Assert.True(settle.Elapsed < TimeSpan.FromSeconds(30), "erasure markers were never completed");
            await Task.Delay(100);
        }

        var summary = string.Join(", ", _answers.OrderBy(a => a.Key).Select(a => $"{a.Key} {a.Value}"));
        RunFigures.Record(output, $"erasure storm: {Users} users x ({WritersPerUser} writers + 1 eraser), {Duration.TotalSeconds:F0} s: {summary}; " +
                                  $"slowest request {_slowestMilliseconds} ms; settled {settle.ElapsedMilliseconds} ms after the last erasure");
        Assert.True(_unexpected.IsEmpty, $"{_unexpected.Count} unexpected answers, e.g. {string.Join(" | ", _unexpected.Take(5))}");
        Assert.True(_slowestMilliseconds < SlowestAllowed.TotalMilliseconds, $"the slowest request took {_slowestMilliseconds} ms");
        Assert.True(_answers.GetValueOrDefault("DELETE /api/me 204") > Users * 5, "too few erasures happened to test anything");
        Assert.True(_answers.GetValueOrDefault("POST /api/turns 201") > Users * 20, "too few turns happened to test anything");

        // Nothing of anyone is left, and no pattern counts them.
        foreach (var user in users) Assert.Empty(await Storage.TablesContainingAsync(user));
        var patterns = await Patterns.OnceAsync(_service, all => !all.EnumerateArray().Any(p => Topics.Contains(p.GetProperty("key").GetString())));
        Assert.DoesNotContain(patterns.EnumerateArray(), p => Topics.Contains(p.GetProperty("key").GetString()));

        // A turn after the erasure starts a new, clean history.
        using (var turn = await _service.Http.SendAsync(Post("/api/turns", new { userId = users[0], userMessage = "I prefer storm jazz.", aiResponse = "Noted." }, chatApp)))
            Assert.Equal(HttpStatusCode.Created, turn.StatusCode);
        var me = await GetAsync("/api/me", _service.Token(users[0]));
        Assert.Equal((1, 1), (me.GetProperty("interactionCount").GetInt32(), me.GetProperty("memoryCount").GetInt32()));
        await Storage.WaitForProjectionsAsync(TimeSpan.FromSeconds(10));
        var holder = (await GetAsync("/api/patterns", _service.Token("root", Roles.Admin))).EnumerateArray()
            .Where(p => p.GetProperty("key").GetString() == "storm jazz").Select(p => p.GetProperty("userCount").GetInt32()).ToList();
        // A pattern is shown from 2 holders on: one user alone is no pattern.
        Assert.Empty(holder);
    }

    private async Task WriterAsync(string user, string chatApp, Random random, CancellationToken stop)
    {
        var userToken = _service.Token(user);
        while (!stop.IsCancellationRequested)
        {
            var body = new { userId = user, userMessage = $"I prefer {Topics[random.Next(Topics.Length)]}.", aiResponse = "Noted.", turnId = Guid.NewGuid() };
            var turn = await SendAsync("POST /api/turns", () => Post("/api/turns", body, chatApp), [HttpStatusCode.Created]);
            if (turn is { } turnId && random.Next(2) == 0)
                // The turn may have been erased in between: then it is not found.
                await SendAsync("POST feedback", () => Post($"/api/turns/{turnId}/feedback", new { success = random.Next(4) > 0 }, chatApp),
                    [HttpStatusCode.NoContent, HttpStatusCode.NotFound]);
            if (random.Next(4) == 0)
                await SendAsync("GET /api/me/export", () => new HttpRequestMessage(HttpMethod.Get, "/api/me/export") { Headers = { { "Authorization", $"Bearer {userToken}" } } },
                    [HttpStatusCode.OK]);
        }
    }

    private async Task EraserAsync(string user, Random random, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try { await Task.Delay(random.Next(500, 2500), stop); }
            catch (OperationCanceledException) { return; }
            await SendAsync("DELETE /api/me", () => Erase(user), [HttpStatusCode.NoContent]);
        }
    }

    private HttpRequestMessage Erase(string user) => new(HttpMethod.Delete, "/api/me")
    {
        Content = JsonContent.Create(new { confirm = user }), Headers = { { "Authorization", $"Bearer {_service.Token(user)}" } }
    };

    /// <summary>Sends once; records the answer and its time; returns a recorded turn's id.</summary>
    private async Task<Guid?> SendAsync(string what, Func<HttpRequestMessage> request, HttpStatusCode[] expected)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var message = request();
            using var response = await _service.Http.SendAsync(message);
            var elapsed = clock.ElapsedMilliseconds;
            InterlockedMax(ref _slowestMilliseconds, elapsed);
            _answers.AddOrUpdate($"{what} {(int)response.StatusCode}", 1, (_, n) => n + 1);
            if (!expected.Contains(response.StatusCode))
            {
                _unexpected.Enqueue($"{what}: {(int)response.StatusCode} after {elapsed} ms {await response.Content.ReadAsStringAsync()}");
                return null;
            }

            return response.StatusCode == HttpStatusCode.Created
                ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("turnId").GetGuid()
                : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            InterlockedMax(ref _slowestMilliseconds, clock.ElapsedMilliseconds);
            _unexpected.Enqueue($"{what}: no answer after {clock.ElapsedMilliseconds} ms ({e.GetType().Name})");
            return null;
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while (value > (seen = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    private static HttpRequestMessage Post(string url, object body, string token) => new(HttpMethod.Post, url)
    {
        Content = JsonContent.Create(body), Headers = { { "Authorization", $"Bearer {token}" } }
    };

    private async Task<JsonElement> GetAsync(string url, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Authorization", $"Bearer {token}" } } };
        using var response = await _service.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
