using System.Net.Http.Json;
using System.Text.Json;
using CrossLearn.DevDatabase;
using CrossLearn.Platform.Http;
using Npgsql;

namespace CrossLearn.Benchmarks;

/// <summary>
/// The service as the simulators play it: its own embedded PostgreSQL and a fresh database, the Release build as a
/// process, and the JSON calls they make over HTTP with each simulated user's token.
/// </summary>
public sealed class SimulatedService : IAsyncDisposable
{
    private readonly EmbeddedPostgres _postgres;
    private readonly MeasuredService _service;
    private readonly AuthSettings _auth;

    private SimulatedService(EmbeddedPostgres postgres, MeasuredService service, AuthSettings auth, string owner)
    {
        (_postgres, _service, _auth, OwnerConnection) = (postgres, service, auth, owner);
        Http = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Http { get; }
    public string OwnerConnection { get; }

    /// <param name="environment">The service's settings for this simulation, logged; <c>--service-env NAME=VALUE</c> in <paramref name="args"/> adds to them.</param>
    public static async Task<SimulatedService> StartAsync(string logName, Dictionary<string, string> environment, string[] args)
    {
        // --service-env NAME=VALUE (repeatable): a setting of the service for an experiment, as in the benchmarks.
        for (var i = 0; i + 1 < args.Length; i++)
            if (args[i] == "--service-env" && args[i + 1].Split('=', 2) is [var name, var value]) environment[name] = value;
        foreach (var (name, value) in environment) Log.Info($"service environment: {name}={value}");
        var postgres = await EmbeddedPostgres.StartAsync(Path.Combine(Repository.Root(), ".data", "bench-postgres"));
        try
        {
            var database = await Bench.FreshDatabaseAsync(postgres);
            var owner = postgres.ConnectionString(database);
            await EmbeddedPostgres.CreateLoginRoleIfMissingAsync(owner, EmbeddedPostgres.RuntimeRole);
            var runtime = new NpgsqlConnectionStringBuilder(owner) { Username = EmbeddedPostgres.RuntimeRole }.ConnectionString;
            var auth = new AuthSettings { SigningKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)) };
            var service = await MeasuredService.StartAsync(runtime, owner, auth.SigningKey, Repository.DataFile(logName), environment);
            return new SimulatedService(postgres, service, auth, owner);
        }
        catch
        {
            await postgres.StopAsync();
            throw;
        }
    }

    public string Token(string user, string role = Roles.User) => TokenIssuer.Issue(_auth, user, role, TimeSpan.FromHours(12), DateTimeOffset.UtcNow);

    public Task<JsonElement> PostAsync(string path, string token, object body) => SendAsync(HttpMethod.Post, path, token, body);

    public Task<JsonElement> GetAsync(string path, string token) => SendAsync(HttpMethod.Get, path, token, null);

    /// <summary>The call's JSON answer (default for an empty body); anything but a 2xx throws with the status and body.</summary>
    public async Task<JsonElement> SendAsync(HttpMethod method, string path, string token, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body != null) request.Content = JsonContent.Create(body);
        request.Headers.Authorization = new("Bearer", token);
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{method} {path}: {(int)response.StatusCode} {text}", null, response.StatusCode);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A turn; the (type, key) of what it taught.</summary>
    public async Task<IReadOnlyList<(string Type, string Key)>> PostTurnAsync(string token, string message, string? contextId = null)
    {
        var answer = await PostAsync("/api/turns", token, new { userMessage = message, aiResponse = "Noted.", contextId });
        return answer.GetProperty("learned").EnumerateArray().Select(l => (l.GetProperty("type").GetString()!, l.GetProperty("key").GetString()!)).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        try { await _service.DisposeAsync(); }
        finally { await _postgres.StopAsync(); }
    }
}
