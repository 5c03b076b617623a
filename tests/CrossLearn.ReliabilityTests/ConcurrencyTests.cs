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
/// Parallel writers against the separate process: 100 turns and 100 ratings for one user at once, and 50 users
/// teaching the same pattern at once. Counts exact, equal to the reference SQL and to a rebuild; no 500, no 409.
/// </summary>
public sealed class ConcurrencyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private ServiceProcess _service = null!;

    public async Task InitializeAsync() => _service = await ReliabilityService.StartAsync();

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task Parallel_writes_give_exact_counts_for_one_user_and_for_one_pattern()
    {
        var run = Guid.NewGuid().ToString("N")[..8];

        // One user, 100 turns at once, then 100 ratings at once (70 good).
        var user = $"conc-{run}";
        var token = _service.Token(user);
        var turns = await Task.WhenAll(Enumerable.Range(0, 100).Select(async _ =>
        {
            using var response = await PostAsync("/api/turns", new { userMessage = "I prefer tea.", aiResponse = "Noted." }, token);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("turnId").GetGuid();
        }));
        var rated = await Task.WhenAll(turns.Select(async (turnId, i) =>
        {
            using var response = await PostAsync($"/api/turns/{turnId}/feedback", new { success = i < 70 }, token);
            return response.StatusCode;
        }));
        Assert.All(rated, status => Assert.Equal(HttpStatusCode.NoContent, status));

        var me = await GetAsync("/api/me", token);
        Assert.Equal((100, 1), (me.GetProperty("interactionCount").GetInt32(), me.GetProperty("memoryCount").GetInt32()));
        var tea = (await GetAsync("/api/me/memories", token)).EnumerateArray().Single();
        Assert.Equal(("tea", 100), (tea.GetProperty("key").GetString(), tea.GetProperty("timesSeen").GetInt32()));
        Assert.Equal(0.7, (await GetAsync("/api/me/analytics", token)).GetProperty("successRate").GetDouble(), 6);

        // Fifty users teach one new pattern at once, each rating the turn (40 good, 10 bad).
        var topic = "sencha" + new string(run.Where(char.IsLetter).Select(c => (char)('a' + c % 26)).ToArray());
        var statuses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            var teacher = _service.Token($"conc-{run}-{i:00}");
            using var turn = await PostAsync("/api/turns", new { userMessage = $"I prefer {topic}.", aiResponse = "Noted." }, teacher);
            if (turn.StatusCode != HttpStatusCode.Created) return turn.StatusCode;
            var turnId = (await turn.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("turnId").GetGuid();
            using var rating = await PostAsync($"/api/turns/{turnId}/feedback", new { success = i < 40 }, teacher);
            return rating.StatusCode;
        }));
        Assert.All(statuses, status => Assert.True(status is HttpStatusCode.NoContent, $"answered {status}"));
        await Storage.WaitForProjectionsAsync(TimeSpan.FromSeconds(10));

        var pattern = (await Patterns.OnceAsync(_service, all => Patterns.HoldersOf(all, topic) == 50)).EnumerateArray().Single(p => p.GetProperty("key").GetString() == topic);
        var live = (pattern.GetProperty("userCount").GetInt32(), pattern.GetProperty("successRate").GetDouble());
        Assert.Equal((50, 0.8), live);
        Assert.Equal(live, await ReferenceAsync(topic));
        await Verification.ReadModelsEqualARebuildAsync(_service);
        var rebuilt = (await Patterns.OnceAsync(_service, all => Patterns.HoldersOf(all, topic) == 50)).EnumerateArray().Single(p => p.GetProperty("key").GetString() == topic);
        Assert.Equal(live, (rebuilt.GetProperty("userCount").GetInt32(), rebuilt.GetProperty("successRate").GetDouble()));
        RunFigures.Record(output, "concurrency: 100 parallel turns + 100 ratings for one user exact (100 seen, 70 % success); " +
                                  "50 users teaching one pattern at once: 50 users, 80 % success, equal to the reference SQL and to a rebuild");
    }

    /// <summary>The seed's reference query over the memory and profile tables, for one key.</summary>
    private static async Task<(int Users, double SuccessRate)> ReferenceAsync(string key)
    {
        await using var connection = await Storage.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            SELECT count(DISTINCT m.user_id)::int, sum(p.successful_turns)::float8 / sum(p.rated_turns)
            FROM {EventStore.Schema}.mt_doc_memory m JOIN {EventStore.Schema}.mt_doc_userprofile p ON p.id = m.user_id
            WHERE m.key = @key AND m.type = 'preference' AND m.confidence >= 0.7
            """, connection);
        command.Parameters.AddWithValue("key", key);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt32(0), Math.Round(reader.GetDouble(1), 4));
    }

    private Task<HttpResponseMessage> PostAsync(string url, object body, string token) =>
        _service.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = JsonContent.Create(body), Headers = { { "Authorization", $"Bearer {token}" } }
        });

    private async Task<JsonElement> GetAsync(string url, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Authorization", $"Bearer {token}" } } };
        using var response = await _service.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
