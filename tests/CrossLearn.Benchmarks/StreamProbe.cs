using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;

namespace CrossLearn.Benchmarks;

/// <summary>Listens on /api/stream and times how long expected events take to arrive.</summary>
public sealed class StreamProbe(HttpClient http, string token)
{
    private readonly ConcurrentDictionary<(string Type, string Key), long> _expected = new();
    private readonly ConcurrentDictionary<string, Latencies> _received = new();
    private readonly object _gate = new();

    public TaskCompletionSource Connected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Expect(string type, string key, long startTimestamp) => _expected.TryAdd((type, key), startTimestamp);

    public Latencies Received(string type) => _received.GetOrAdd(type, _ => new Latencies());

    public int Missing(string type) => _expected.Keys.Count(k => k.Type == type);

    public async Task ListenAsync(CancellationToken ct)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stream");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            response.EnsureSuccessStatusCode();
            Connected.TrySetResult();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            string? type = null;
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.StartsWith("event: ")) type = line[7..];
                else if (line.StartsWith("data: ") && type is "memory.learned" or "pattern.changed")
                {
                    var key = JsonDocument.Parse(line[6..]).RootElement.GetProperty("key").GetString()!;
                    if (_expected.TryRemove((type, key), out var start))
                        lock (_gate) Received(type).Add(start);
                }
                else if (line.Length == 0) type = null;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or HttpRequestException)
        {
            Connected.TrySetResult();
        }
    }
}
