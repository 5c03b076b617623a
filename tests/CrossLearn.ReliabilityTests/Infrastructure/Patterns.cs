using System.Net.Http.Json;
using System.Text.Json;
using CrossLearn.Platform.Http;

namespace CrossLearn.ReliabilityTests.Infrastructure;

/// <summary>
/// The patterns users see (/api/patterns) are the global store's figures, one report (250 ms) after the shard's own
/// counters: a test that waited for the projections reads them once they show what it expects, or after a bound.
/// </summary>
public static class Patterns
{
    public static async Task<JsonElement> OnceAsync(ServiceProcess service, Func<JsonElement, bool> settled, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/patterns")
                { Headers = { { "Authorization", $"Bearer {service.Token("pattern-reader", Roles.Admin)}" } } };
            using var response = await service.Http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var patterns = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (settled(patterns) || DateTime.UtcNow > deadline) return patterns;
            await Task.Delay(50);
        }
    }

    /// <summary>The holders of <paramref name="key"/> shown, 0 when it is not shown.</summary>
    public static int HoldersOf(JsonElement patterns, string key) =>
        patterns.EnumerateArray().Where(p => p.GetProperty("key").GetString() == key).Select(p => p.GetProperty("userCount").GetInt32()).SingleOrDefault();
}
