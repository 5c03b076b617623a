using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrossLearn.Platform.Http;

namespace CrossLearn.ClusterTests.Infrastructure;

/// <summary>
/// Chat-app clients (a service token naming the user) posting turns and rating half of them, for users of both shards,
/// each request through a node chosen at random. A 503 is counted for the user's shard and sent again unchanged (same
/// turnId) after 100 ms; a request no node answered (a node killed) goes to the other node.
/// </summary>
public sealed class ShardedLoad(ShardedCluster cluster, IReadOnlyList<string> users, int seed)
{
    public sealed record AckedTurn(Guid TurnId, string UserId, string UserMessage);

    private static readonly string[] Topics = ["tea", "coffee", "dark mode", "vim", "python", "tabs", "jazz", "cats"];
    private static readonly string[] Templates = ["I prefer {0}.", "I love {0}!", "I hate {0}.", "My name is Sam.", "What is the weather like?", "I prefer {0}."];
    private const int Clients = 8;

    public ConcurrentDictionary<Guid, AckedTurn> Turns { get; } = new();
    public ConcurrentDictionary<Guid, bool> Ratings { get; } = new();
    public ConcurrentQueue<string> Unexpected { get; } = new();

    /// <summary>Per shard: requests acknowledged (201, 204), and 503s answered.</summary>
    public ConcurrentDictionary<string, int> Acknowledged { get; } = new();
    public ConcurrentDictionary<string, int> Unavailable { get; } = new();

    /// <summary>Per shard, set by the test: requests acknowledged in the <see cref="Warmup"/> before a fault and in the seconds after it.</summary>
    public Dictionary<string, int> Before { get; } = new();
    public Dictionary<string, int> After { get; } = new();

    public static readonly TimeSpan Warmup = TimeSpan.FromSeconds(2);

    /// <summary>The slowest 503, in milliseconds: a 503 must come fast, not after a hang.</summary>
    public long Slowest503Milliseconds;

    /// <summary>Nodes the clients leave alone (one being killed): requests go to the others.</summary>
    public ConcurrentDictionary<int, bool> Avoided { get; } = new();

    /// <summary>
    /// Half the clients serve each shard's users, as a chat app's many clients do: a client waiting out one shard's
    /// outage holds up no user of the other.
    /// </summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, Clients).Select(i =>
        {
            var shard = i % 2 == 0 ? ShardedCluster.East : ShardedCluster.West;
            var served = users.Where(u => ShardedCluster.ShardOf(u) == shard).ToList();
            return Task.Run(() => ClientAsync(served, new Random(seed * 100 + i), stop));
        }));

    private async Task ClientAsync(IReadOnlyList<string> served, Random random, CancellationToken stop)
    {
        var token = cluster.Token("chat-app", Roles.Service);
        while (!stop.IsCancellationRequested && served.Count > 0)
        {
            var user = served[random.Next(served.Count)];
            var shard = ShardedCluster.ShardOf(user);
            var turnId = Guid.NewGuid();
            var message = string.Format(Templates[random.Next(Templates.Length)], Topics[random.Next(Topics.Length)]);
            var body = new { userId = user, userMessage = message, aiResponse = "Noted.", conversationId = $"c-{user}", turnId };

            using (var response = await SendUntilAnsweredAsync(shard, random, () => Post("/api/turns", body, token)))
            {
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    await RecordUnexpectedAsync("POST /api/turns", response);
                    continue;
                }

                var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (answer.GetProperty("turnId").GetGuid() != turnId) Unexpected.Enqueue($"turn {turnId} answered with {answer}");
                Turns[turnId] = new AckedTurn(turnId, user, message);
                Acknowledged.AddOrUpdate(shard, 1, (_, n) => n + 1);
            }

            if (random.Next(2) == 0) continue;
            var success = random.Next(4) > 0;
            using var rated = await SendUntilAnsweredAsync(shard, random, () => Post($"/api/turns/{turnId}/feedback", new { success }, token));
            if (rated.StatusCode != HttpStatusCode.NoContent)
            {
                await RecordUnexpectedAsync("POST feedback", rated);
                continue;
            }

            Ratings[turnId] = success;
            Acknowledged.AddOrUpdate(shard, 1, (_, n) => n + 1);
        }
    }

    private static HttpRequestMessage Post(string url, object body, string token) => new(HttpMethod.Post, url)
    {
        Content = JsonContent.Create(body), Headers = { { "Authorization", $"Bearer {token}" } }
    };

    private async Task<HttpResponseMessage> SendUntilAnsweredAsync(string shard, Random random, Func<HttpRequestMessage> request)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        var node = random.Next(cluster.Nodes.Count);
        while (true)
        {
            if (Avoided.ContainsKey(node)) node = (node + 1) % cluster.Nodes.Count;
            var watch = Stopwatch.StartNew();
            try
            {
                var response = await cluster.Nodes[node].Http.SendAsync(request());
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable) return response;

                Unavailable.AddOrUpdate(shard, 1, (_, n) => n + 1);
                InterlockedMax(ref Slowest503Milliseconds, watch.ElapsedMilliseconds);
                if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                    Unexpected.Enqueue($"503 without problem+json: {response.Content.Headers.ContentType}");
                response.Dispose();
            }
            catch (HttpRequestException)
            {
                // No answer from this node: the other one is asked.
                node = (node + 1) % cluster.Nodes.Count;
            }
            catch (TaskCanceledException)
            {
                Unexpected.Enqueue($"a request for a {shard} user hung until the client's 30 s timeout");
            }

            if (DateTime.UtcNow > deadline) throw new TimeoutException("No answer for 120 s.");
            await Task.Delay(100);
        }
    }

    private async Task RecordUnexpectedAsync(string what, HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Unexpected.Enqueue($"{what}: {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}");
    }

    private static void InterlockedMax(ref long target, long value)
    {
        long seen;
        while ((seen = Interlocked.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    /// <summary>
    /// Every acknowledged turn is stored once, in its user's shard and nowhere else; every acknowledged rating once.
    /// Returns how many turns and ratings were checked.
    /// </summary>
    public async Task<(int Turns, int Ratings)> NothingLostOrDoubledAsync()
    {
        var events = new Dictionary<string, Dictionary<Guid, int>>();
        var ratings = new Dictionary<string, Dictionary<Guid, int>>();
        foreach (var shard in new[] { ShardedCluster.East, ShardedCluster.West })
        {
            events[shard] = await ShardReads.TurnEventCountsAsync(cluster.Owner(shard));
            ratings[shard] = await ShardReads.RatingEventCountsAsync(cluster.Owner(shard));
        }

        foreach (var turn in Turns.Values)
        {
            var shard = ShardedCluster.ShardOf(turn.UserId);
            var other = shard == ShardedCluster.East ? ShardedCluster.West : ShardedCluster.East;
            Assert.True(events[shard].GetValueOrDefault(turn.TurnId) == 1,
                $"acknowledged turn {turn.TurnId} of {turn.UserId} is stored {events[shard].GetValueOrDefault(turn.TurnId)} times in {shard}");
            Assert.False(events[other].ContainsKey(turn.TurnId), $"turn {turn.TurnId} of a {shard} user is in {other}");
        }

        foreach (var turnId in Ratings.Keys)
        {
            var shard = ShardedCluster.ShardOf(Turns[turnId].UserId);
            Assert.True(ratings[shard].GetValueOrDefault(turnId) == 1, $"rating of {turnId} is stored {ratings[shard].GetValueOrDefault(turnId)} times in {shard}");
        }

        return (Turns.Count, Ratings.Count);
    }
}
