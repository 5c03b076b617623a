using System.Threading.Channels;
using Alba;

namespace CrossLearn.Tests.Live;

/// <param name="Id">The event id as a number (one shard database's feed id); <paramref name="RawId"/> as sent (a pool's is one id per database, dot-separated).</param>
public sealed record SseEvent(long Id, string Type, string Data, string RawId = "");

/// <summary>Reads a server-sent-events stream from a test host in the background.</summary>
public sealed class SseClient : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<SseEvent> _events = Channel.CreateUnbounded<SseEvent>();
    private readonly List<SseEvent> _seen = [];
    private readonly HttpResponseMessage _response;
    private readonly Task _reader;

    private SseClient(HttpResponseMessage response)
    {
        _response = response;
        _reader = Task.Run(ReadAsync);
    }

    public int Status => (int)_response.StatusCode;
    public string? ContentType => _response.Content.Headers.ContentType?.MediaType;

    public static Task<SseClient> ConnectAsync(IAlbaHost host, string token, long? lastEventId = null, bool tokenInQuery = false) =>
        ConnectAsync(host, token, lastEventId?.ToString(), tokenInQuery);

    public static async Task<SseClient> ConnectAsync(IAlbaHost host, string token, string? lastEventId, bool tokenInQuery = false)
    {
        var client = host.Server.CreateClient();
        var url = tokenInQuery ? $"/api/stream?access_token={token}" : "/api/stream";
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (!tokenInQuery) request.Headers.Authorization = new("Bearer", token);
        if (lastEventId != null) request.Headers.Add("Last-Event-ID", lastEventId);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        return new SseClient(response);
    }

    private async Task ReadAsync()
    {
        try
        {
            await using var stream = await _response.Content.ReadAsStreamAsync(_stop.Token);
            using var reader = new StreamReader(stream);
            var id = "";
            string? type = null, data = null;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (type != null) await _events.Writer.WriteAsync(new SseEvent(long.TryParse(id, out var number) ? number : 0, type, data ?? "", id));
                    (type, data) = (null, null);
                }
                else if (line.StartsWith("id: ")) id = line[4..];
                else if (line.StartsWith("event: ")) type = line[7..];
                else if (line.StartsWith("data: ")) data = line[6..];
            }
        }
        // Closed: by the server, or by DisposeAsync (then whatever the torn-down response throws is expected too).
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException || _stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>The first event (seen before or arriving within the timeout) that matches.</summary>
    public async Task<SseEvent> WaitForAsync(Func<SseEvent, bool> match, TimeSpan? timeout = null)
    {
        if (_seen.FirstOrDefault(match) is { } already) return already;
        using var wait = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            while (true)
            {
                var next = await _events.Reader.ReadAsync(wait.Token);
                _seen.Add(next);
                if (match(next)) return next;
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No matching event; seen: {string.Join(", ", _seen.Select(e => $"{e.Id}:{e.Type}:{e.Data}"))}");
        }
    }

    /// <summary>Everything received within <paramref name="window"/>.</summary>
    public async Task<IReadOnlyList<SseEvent>> DrainAsync(TimeSpan window)
    {
        using var wait = new CancellationTokenSource(window);
        try
        {
            while (true) _seen.Add(await _events.Reader.ReadAsync(wait.Token));
        }
        catch (OperationCanceledException)
        {
        }

        return _seen;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        try { await _reader.WaitAsync(TimeSpan.FromSeconds(2)); } catch (TimeoutException) { }
    }
}
