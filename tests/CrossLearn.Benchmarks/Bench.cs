using CrossLearn.DevDatabase;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using static CrossLearn.Features.Analytics.PopulationRanks.Distribution;
using CrossLearn.Features.Profile;
using CrossLearn.Features.Turns;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Npgsql;

namespace CrossLearn.Benchmarks;

public sealed record IngestResult(double TurnsPerSecond, double RawPerSecond);

/// <summary>The scenarios, in the order of the issue's priorities; each adds its rows to the table.</summary>
public sealed class Bench(Options options, MeasuredService service, NpgsqlDataSource raw, AuthSettings auth, string connectionString)
{
    private const string Schema = EventStore.Schema;
    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = int.MaxValue
    }) { BaseAddress = service.Address, Timeout = TimeSpan.FromHours(1) };

    private readonly CpuMeter _cpu = new(service.Pid, new NpgsqlConnectionStringBuilder(connectionString).Database!);

    private string Token(string userId, string role) => TokenIssuer.Issue(auth, userId, role, TimeSpan.FromHours(6), DateTimeOffset.UtcNow);

    // ---------------------------------------------------------------- 1. ingest

    public async Task<IngestResult> IngestAsync(List<Row> rows)
    {
        var users = 10_000;
        var teaching = Enumerable.Range(0, 3000).Select(i => Workload.Next(new Random(i)).UserMessage).Count(m => MemoryExtractor.Extract(m).Count > 0);
        Log.Phase($"1. Ingest: {options.Clients} clients, {users:N0} users, {options.IngestSeconds} s each side");
        Log.Info($"workload: {100.0 * teaching / 3000:F0}% of messages teach something (by the service's own extractor); 1 in 5 turns is rated");
        var serviceToken = Token("bench-chat-app", Roles.Service);

        // Long enough for tiered compilation to settle: 3 s left the service re-compiling 500-1,100 methods a second
        // (0.1-0.4 s of JIT per second, dotnet-counters) through the measured 10 s, so the quick run measured warm-up.
        var warmUp = options.Quick ? 10 : 20;
        Log.Info($"warm-up {warmUp} s (JIT, Wolverine code generation, connection pools); service RSS before: {service.Memory().RssMb:N0} MB");
        await RunIngestAsync(serviceToken, users, TimeSpan.FromSeconds(warmUp), seed: 1);
        Log.Info($"service RSS after the warm-up: {service.Memory().RssMb:N0} MB (peak so far {service.Memory().PeakMb:N0} MB)");

        service.ResetPeak();
        using var sampling = new CancellationTokenSource();
        var sampler = service.SampleMaxRssAsync(sampling.Token);
        Log.Info($"measuring ours; load {Log.Load()}");
        var db0 = await DatabaseCountersAsync();
        var cpu0 = _cpu.Take();
        var ours = await RunIngestAsync(serviceToken, users, TimeSpan.FromSeconds(options.IngestSeconds), seed: 2);
        var cpu1 = _cpu.Take();
        await Task.Delay(1500); // PostgreSQL publishes its statistics at most once a second
        var db1 = await DatabaseCountersAsync();
        await sampling.CancelAsync();
        var sampledRss = await sampler;
        var (peak, _) = service.Memory();
        Log.Info($"ours: {ours.Turns / ours.Seconds:N0} turns/s, {ours.Errors} errors; turns {ours.Latency.Summary()}; ratings {ours.Ratings.Summary()}");

        Log.Info($"measuring raw Npgsql baseline (BEGIN; event insert; 2 document upserts; COMMIT); load {Log.Load()}");
        await CreateRawTablesAsync();
        await RunRawAsync(users, TimeSpan.FromSeconds(2), seed: 3);
        var cpu2 = _cpu.Take();
        var baseline = await RunRawAsync(users, TimeSpan.FromSeconds(options.IngestSeconds), seed: 4);
        var cpu3 = _cpu.Take();
        Log.Info($"raw: {baseline.Turns / baseline.Seconds:N0} turns/s; {baseline.Latency.Summary()}");
        Log.Info($"ours: {CpuMeter.PerUnit(cpu0, cpu1, ours.Turns + ours.Ratings.Count, "request (turn or rating)")}");
        Log.Info($"raw:  {CpuMeter.PerUnit(cpu2, cpu3, baseline.Turns, "transaction")}");
        var requests = (double)(ours.Turns + ours.Ratings.Count);
        Log.Info($"ours, per request (pg_stat_database / pg_stat_user_tables; includes the daemon's work): " +
                 $"{(db1["transactions"] - db0["transactions"]) / requests:F1} transactions (every statement outside BEGIN counts one), " +
                 $"row writes: " + string.Join(", ", db1.Keys.Where(k => k != "transactions" && db1[k] - db0.GetValueOrDefault(k) > 0)
                     .OrderByDescending(k => db1[k] - db0.GetValueOrDefault(k))
                     .Select(k => $"{k} {(db1[k] - db0.GetValueOrDefault(k)) / requests:F2}")));
        Log.Info("one client, 5 s (latency without queueing):");
        var single = await RunIngestAsync(serviceToken, users, TimeSpan.FromSeconds(5), seed: 6, clients: 1);
        Log.Info($"  ours, 1 client: {single.Turns / single.Seconds:N0} turns/s; {single.Latency.Summary()}");

        var oursRate = ours.Turns / ours.Seconds;
        var rawRate = baseline.Turns / baseline.Seconds;
        var data = $"{options.Clients} clients, {users:N0} users, {options.IngestSeconds} s";
        rows.Add(new Row("Ingest throughput", data, $"{oursRate:N0} turns/s", $"{rawRate:N0} tx/s", $"{oursRate / rawRate:P0}", ">= 50%",
            oursRate / rawRate >= 0.5 ? "met" : "missed"));
        rows.Add(new Row("Ingest latency p50/p95/p99", data, $"{ours.Latency.P(50):F1}/{ours.Latency.P(95):F1}/{ours.Latency.P(99):F1} ms",
            $"{baseline.Latency.P(50):F1}/{baseline.Latency.P(95):F1}/{baseline.Latency.P(99):F1} ms",
            $"{ours.Latency.P(99) / baseline.Latency.P(99):F1}x (p99)", "p99 < 50 ms", ours.Latency.P(99) < 50 ? "met" : "missed"));
        rows.Add(new Row("Feedback latency p50/p99", $"{ours.Ratings.Count:N0} ratings", $"{ours.Ratings.P(50):F1}/{ours.Ratings.P(99):F1} ms", "-", "-", "-", "-"));
        rows.Add(new Row("Peak working set, ingest", data, $"{Math.Max(peak, sampledRss):N0} MB", "-", "-", "< 500 MB", Math.Max(peak, sampledRss) < 500 ? "met" : "missed"));
        return new IngestResult(oursRate, rawRate);
    }

    private sealed record Run(int Turns, int Errors, double Seconds, Latencies Latency, Latencies Ratings);

    private async Task<Run> RunIngestAsync(string token, int users, TimeSpan duration, int seed, double? perSecond = null, int? clients = null)
    {
        var clientCount = clients ?? options.Clients;
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var errors = 0;
        var turns = 0;
        // Open-loop pacing when a rate is given: each client sends on its own schedule.
        var interval = perSecond is { } rate ? clientCount / rate : 0;

        async Task<(Latencies, Latencies)> Client(int c)
        {
            var random = new Random(seed * 1000 + c);
            var latency = new Latencies();
            var ratings = new Latencies();
            var next = (double)Stopwatch.GetTimestamp();
            while (Stopwatch.GetTimestamp() < until)
            {
                if (interval > 0)
                {
                    next += interval * Stopwatch.Frequency;
                    var wait = (next - Stopwatch.GetTimestamp()) / Stopwatch.Frequency;
                    if (wait > 0) await Task.Delay(TimeSpan.FromSeconds(wait));
                }

                var userId = $"user-{random.Next(users):D5}";
                var (message, answer) = Workload.Next(random);
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/turns")
                {
                    Content = JsonContent.Create(new { userMessage = message, aiResponse = answer, userId })
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var t0 = Stopwatch.GetTimestamp();
                using var response = await _http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.Created)
                {
                    if (Interlocked.Increment(ref errors) <= 3) Log.Info($"  turn failed: {(int)response.StatusCode} {body[..Math.Min(200, body.Length)]}");
                    continue;
                }

                latency.Add(t0);
                Interlocked.Increment(ref turns);
                if (random.Next(5) != 0) continue;

                var turnId = JsonDocument.Parse(body).RootElement.GetProperty("turnId").GetGuid();
                using var rate = new HttpRequestMessage(HttpMethod.Post, $"/api/turns/{turnId}/feedback")
                {
                    Content = JsonContent.Create(new { success = random.Next(10) < 8 })
                };
                rate.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var r0 = Stopwatch.GetTimestamp();
                using var rated = await _http.SendAsync(rate);
                if (rated.StatusCode == HttpStatusCode.NoContent) ratings.Add(r0);
                else if (Interlocked.Increment(ref errors) <= 3) Log.Info($"  rating failed: {(int)rated.StatusCode}");
            }

            return (latency, ratings);
        }

        var results = await Task.WhenAll(Enumerable.Range(0, clientCount).Select(Client));
        return new Run(turns, errors, Stopwatch.GetElapsedTime(started).TotalSeconds,
            Latencies.Merge(results.Select(r => r.Item1)), Latencies.Merge(results.Select(r => r.Item2)));
    }

    private async Task CreateRawTablesAsync()
    {
        await using var command = raw.CreateCommand("""
            CREATE SCHEMA IF NOT EXISTS bench;
            CREATE TABLE IF NOT EXISTS bench.events (seq_id bigserial PRIMARY KEY, id uuid NOT NULL, stream_id text NOT NULL,
              version int NOT NULL, data jsonb NOT NULL, type text NOT NULL, timestamp timestamptz NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS bench.turns (id text PRIMARY KEY, data jsonb NOT NULL, last_modified timestamptz NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS bench.profiles (id text PRIMARY KEY, data jsonb NOT NULL, last_modified timestamptz NOT NULL DEFAULT now());
            """);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// The same durable writes done raw: per turn one transaction with one event insert and two document
    /// upserts (the turn and the user's profile), the documents serialized from the service's own types.
    /// </summary>
    private async Task<Run> RunRawAsync(int users, TimeSpan duration, int seed)
    {
        var until = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var turns = 0;

        async Task<Latencies> Client(int c)
        {
            var random = new Random(seed * 1000 + c);
            var latency = new Latencies();
            while (Stopwatch.GetTimestamp() < until)
            {
                var userId = $"user-{random.Next(users):D5}";
                var (message, answer) = Workload.Next(random);
                var now = DateTimeOffset.UtcNow;
                var turnId = Guid.CreateVersion7(now);
                var learned = MemoryExtractor.Extract(message).Select(m => new MemoryLearning.Learned(m.Type, m.Key, m.Value, m.Confidence)).ToList();
                var recorded = new TurnRecorded(userId, turnId, Guid.CreateVersion7(now).ToString(), message, answer, now, learned);
                var turn = new Turn
                {
                    Id = turnId, UserId = userId, ConversationId = recorded.ConversationId, UserMessage = message, AiResponse = answer,
                    RecordedAt = now, Learned = learned
                };
                var profile = new UserProfile { Id = userId, InteractionCount = 1 + random.Next(100), FirstSeenAt = now, LastSeenAt = now };

                var t0 = Stopwatch.GetTimestamp();
                await using var connection = await raw.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                await using var batch = new NpgsqlBatch(connection, transaction);
                var insert = new NpgsqlBatchCommand("INSERT INTO bench.events (id, stream_id, version, data, type) VALUES ($1, $2, $3, $4::jsonb, $5)");
                insert.Parameters.Add(new NpgsqlParameter { Value = Guid.NewGuid() });
                insert.Parameters.Add(new NpgsqlParameter { Value = userId });
                insert.Parameters.Add(new NpgsqlParameter { Value = random.Next(1, 1000) });
                insert.Parameters.Add(new NpgsqlParameter { Value = JsonSerializer.Serialize(recorded) });
                insert.Parameters.Add(new NpgsqlParameter { Value = "turn_recorded" });
                batch.BatchCommands.Add(insert);
                foreach (var (table, id, json) in new[] { ("turns", turnId.ToString(), JsonSerializer.Serialize(turn)), ("profiles", userId, JsonSerializer.Serialize(profile)) })
                {
                    var upsert = new NpgsqlBatchCommand(
                        $"INSERT INTO bench.{table} (id, data) VALUES ($1, $2::jsonb) ON CONFLICT (id) DO UPDATE SET data = excluded.data, last_modified = now()");
                    upsert.Parameters.Add(new NpgsqlParameter { Value = id });
                    upsert.Parameters.Add(new NpgsqlParameter { Value = json });
                    batch.BatchCommands.Add(upsert);
                }

                await batch.ExecuteNonQueryAsync();
                await transaction.CommitAsync();
                latency.Add(t0);
                Interlocked.Increment(ref turns);
            }

            return latency;
        }

        var results = await Task.WhenAll(Enumerable.Range(0, options.Clients).Select(Client));
        return new Run(turns, 0, Stopwatch.GetElapsedTime(started).TotalSeconds, Latencies.Merge(results), new Latencies());
    }

    // ---------------------------------------------------------------- 2. freshness

    public async Task FreshnessAsync(List<Row> rows, IngestResult ingest)
    {
        var rate = 0.8 * ingest.TurnsPerSecond;
        var seconds = options.Quick ? 10 : 30;
        Log.Phase($"2. Freshness: a new pattern's 201 -> visible in GET /api/patterns, while ingesting at {rate:N0} turns/s (80% of measured max) for {seconds} s");
        var serviceToken = Token("bench-chat-app", Roles.Service);
        var reader = Token("bench-reader", Roles.User);
        var probeWord = Workload.ProbeWord(0, 0);
        var sample = MemoryExtractor.Extract($"I love {probeWord}.");
        if (sample.Count == 0 || sample[0].Type == MemoryTypes.PersonalInfo || sample[0].Confidence < 0.7)
            throw new InvalidOperationException($"the probe sentence does not make a pattern memory: {JsonSerializer.Serialize(sample)}");

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        // An admin's live stream hears every user's events: time from a probe's 201 to its memory.learned, and
        // from the second probe's 201 to the pattern.changed that announces the new pattern.
        using var listening = new CancellationTokenSource();
        var stream = new StreamProbe(_http, Token("bench-admin", Roles.Admin));
        var streamTask = stream.ListenAsync(listening.Token);
        await stream.Connected.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var load = RunIngestAsync(serviceToken, 10_000, TimeSpan.FromSeconds(seconds), seed: 5, perSecond: rate);
        var fresh = new Latencies();
        var timeouts = 0;
        var run = Environment.TickCount & 0xffff;
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var word = Workload.ProbeWord(run, n);
            var key = MemoryExtractor.Extract($"I love {word}.")[0].Key;
            await PostTurnAsync(serviceToken, $"probe-a-{run}-{n}", $"I love {word}.");
            stream.Expect("memory.learned", key, Stopwatch.GetTimestamp());
            await PostTurnAsync(serviceToken, $"probe-b-{run}-{n}", $"I love {word}.");
            var t0 = Stopwatch.GetTimestamp();
            stream.Expect("pattern.changed", key, t0);
            var seen = false;
            while (Stopwatch.GetElapsedTime(t0) < TimeSpan.FromSeconds(10))
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/patterns");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", reader);
                using var response = await _http.SendAsync(request);
                var patterns = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                if (patterns.EnumerateArray().Any(p => p.GetProperty("key").GetString() == key && p.GetProperty("userCount").GetInt32() >= 2))
                {
                    fresh.Add(t0);
                    seen = true;
                    break;
                }

                await Task.Delay(20);
            }

            if (!seen) timeouts++;
            await Task.Delay(50);
        }

        var background = await load;
        await Task.Delay(TimeSpan.FromSeconds(3)); // late stream events of the last probes
        await listening.CancelAsync();
        await streamTask;
        fresh = Latencies.Merge([fresh]);
        var memoryOnStream = Latencies.Merge([stream.Received("memory.learned")]);
        var patternOnStream = Latencies.Merge([stream.Received("pattern.changed")]);
        Log.Info($"load achieved {background.Turns / background.Seconds:N0} turns/s (turn {background.Latency.Summary()})");
        Log.Info($"freshness: {fresh.Summary()}; {timeouts} probes not visible within 10 s");
        Log.Info($"stream: memory.learned {memoryOnStream.Summary()}, {stream.Missing("memory.learned")} never arrived; " +
                 $"pattern.changed {patternOnStream.Summary()}, {stream.Missing("pattern.changed")} never arrived");
        rows.Add(new Row("Stream: own memory.learned p50/p95/p99", $"{memoryOnStream.Count} probes, same load",
            $"{memoryOnStream.P(50):F0}/{memoryOnStream.P(95):F0}/{memoryOnStream.P(99):F0} ms", "-", "-", "p95 < 1 s",
            stream.Missing("memory.learned") == 0 && memoryOnStream.P(95) < 1000 ? "met" : "missed"));
        rows.Add(new Row("Stream: pattern.changed p50/p95/p99", $"{patternOnStream.Count} probes, same load",
            $"{patternOnStream.P(50):F0}/{patternOnStream.P(95):F0}/{patternOnStream.P(99):F0} ms", "-", "-", "p95 < 1 s",
            stream.Missing("pattern.changed") == 0 && patternOnStream.P(95) < 1000 ? "met" : "missed"));
        rows.Add(new Row("Freshness p50/p95/p99", $"{fresh.Count} probes at {background.Turns / background.Seconds:N0} turns/s",
            $"{fresh.P(50):F0}/{fresh.P(95):F0}/{fresh.P(99):F0} ms", "-", "-", "p95 < 1 s",
            timeouts == 0 && fresh.P(95) < 1000 ? "met" : "missed"));
    }

    private async Task PostTurnAsync(string token, string userId, string message)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/turns")
        {
            Content = JsonContent.Create(new { userMessage = message, aiResponse = "Noted.", userId })
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"probe turn failed: {(int)response.StatusCode}");
    }

    // ---------------------------------------------------------------- 3./4. analytics and aggregation

    private int _populationUsers;
    private int _populationMemories;

    /// <summary>The seeded population the read scenarios share (seeded once, by whichever runs first).</summary>
    private async Task EnsurePopulationAsync()
    {
        if (_populationUsers > 0) return;
        _populationUsers = options.Size(100_000, 10_000);
        _populationMemories = options.Size(2_000_000, 200_000);
        Log.Phase($"3. Seeding {_populationUsers:N0} users holding {_populationMemories:N0} memories (bulk insert through Marten, not HTTP)");
        await using (var store = Seeding.Store(connectionString)) await Seeding.SeedPopulationAsync(store, _populationUsers, _populationMemories, seed: 42);
        await ExecuteAsync($"VACUUM ANALYZE {Schema}.mt_doc_userprofile");
        await ExecuteAsync($"VACUUM ANALYZE {Schema}.mt_doc_memory");
    }

    public async Task AnalyticsAsync(List<Row> rows)
    {
        await EnsurePopulationAsync();
        var population = Convert.ToInt32(await ScalarAsync($"SELECT count(*) FROM {Schema}.mt_doc_userprofile"));

        var requests = options.Quick ? 600 : 3000;
        const int clients = 4;
        Log.Phase($"3. Analytics: GET /api/me/analytics, {requests:N0} requests from {clients} clients over {population:N0} profiles");
        var random = new Random(7);
        var tokens = Enumerable.Range(0, 300).Select(_ => $"pop-{random.Next(_populationUsers):D7}").Select(u => (u, Token(u, Roles.User))).ToArray();
        var ours = await MeasureGetsAsync("/api/me/analytics", tokens, 50, requests, clients);
        await ExplainAsync($"""
            SELECT (SELECT count(*) FROM {Schema}.mt_doc_userprofile)::int,
              (SELECT count(*) FROM {Schema}.mt_doc_userprofile WHERE memory_count < 10)::int,
              (SELECT count(*) FROM {Schema}.mt_doc_userprofile WHERE interaction_count < 100)::int,
              (SELECT count(*) FROM {Schema}.mt_doc_userprofile WHERE success_rate IS NOT NULL)::int,
              (SELECT count(*) FROM {Schema}.mt_doc_userprofile WHERE success_rate < 0.8)::int
            """);
        var baseline = await AnalyticsRawAsync(tokens, requests, clients);
        Log.Info($"raw (the endpoint's two queries via Npgsql): {baseline.Summary()}");
        // Experiment for the proposed fix: percentiles from an in-memory snapshot of the three ranked columns.
        var s0 = Stopwatch.GetTimestamp();
        var values = new List<(int, int, double?)>(population);
        await using (var command = raw.CreateCommand($"SELECT memory_count, interaction_count, success_rate FROM {Schema}.mt_doc_userprofile"))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) values.Add((reader.GetInt32(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetDouble(2)));
        var memoryCounts = values.Select(v => v.Item1).Order().ToArray();
        var interactionCounts = values.Select(v => v.Item2).Order().ToArray();
        var rates = values.Where(v => v.Item3 != null).Select(v => v.Item3!.Value).Order().ToArray();
        var loadMs = Stopwatch.GetElapsedTime(s0).TotalMilliseconds;
        var q0 = Stopwatch.GetTimestamp();
        var sink = 0;
        for (var i = 0; i < 10_000; i++)
            sink += Below(memoryCounts, i % 40) + Below(interactionCounts, i % 200) + Below(rates, (i % 100) / 100.0);
        Log.Info($"  experiment: snapshot of {population:N0} profiles' ranked columns loaded and sorted in {loadMs:N0} ms; " +
                 $"then 3 ranks by binary search take {Stopwatch.GetElapsedTime(q0).TotalMilliseconds * 1000 / 10_000:F2} µs per request ({sink % 2})");
        rows.Add(new Row("Analytics p50/p99", $"{population:N0} users, {clients} clients",
            $"{ours.P(50):F1}/{ours.P(99):F1} ms", $"{baseline.P(50):F1}/{baseline.P(99):F1} ms", $"{ours.P(99) / baseline.P(99):F1}x (p99)",
            "p99 < 20 ms", ours.P(99) < 20 ? "met" : "missed"));
    }

    /// <summary>GETs of <paramref name="path"/> by the users' own tokens, from <paramref name="clients"/> clients at once.</summary>
    /// <summary>The shape of every read scenario: a warm-up, then <paramref name="requests"/> GETs from <paramref name="clients"/> clients, logged with the CPU they cost.</summary>
    private async Task<Latencies> MeasureGetsAsync(string path, (string User, string Token)[] tokens, int warmUp, int requests, int clients)
    {
        await GetRunAsync(path, tokens, warmUp, clients);
        var cpu0 = _cpu.Take();
        var ours = await GetRunAsync(path, tokens, requests, clients);
        var cpu1 = _cpu.Take();
        Log.Info($"ours: {ours.Summary()}");
        Log.Info($"  {CpuMeter.PerUnit(cpu0, cpu1, requests, "request")}");
        return ours;
    }

    private async Task<Latencies> GetRunAsync(string path, (string User, string Token)[] tokens, int requests, int clients)
    {
        var remaining = requests;

        async Task<Latencies> Client(int c)
        {
            var latency = new Latencies();
            var random = new Random(c);
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var (_, token) = tokens[random.Next(tokens.Length)];
                using var request = new HttpRequestMessage(HttpMethod.Get, path);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                var t0 = Stopwatch.GetTimestamp();
                using var response = await _http.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                latency.Add(t0);
                if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}");
            }

            return latency;
        }

        return Latencies.Merge(await Task.WhenAll(Enumerable.Range(0, clients).Select(Client)));
    }

    private async Task<Latencies> AnalyticsRawAsync((string User, string Token)[] tokens, int requests, int clients)
    {
        var remaining = requests;
        var sql = $"""
            SELECT
              (SELECT count(*) FROM {Schema}.mt_doc_userprofile)::int,
              (SELECT count(*) FROM {Schema}.mt_doc_userprofile WHERE memory_count < $1)::int,
              (SELECT count(*) FROM {Schema}.mt_doc_userprofile WHERE interaction_count < $2)::int,
              (SELECT count(*) FROM {Schema}.mt_doc_userprofile WHERE success_rate IS NOT NULL)::int,
              (SELECT count(*) FROM {Schema}.mt_doc_userprofile WHERE success_rate < $3)::int
            """;

        async Task<Latencies> Client(int c)
        {
            var latency = new Latencies();
            var random = new Random(c);
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var (user, _) = tokens[random.Next(tokens.Length)];
                var t0 = Stopwatch.GetTimestamp();
                await using var connection = await raw.OpenConnectionAsync();
                int memories, interactions;
                double? rate;
                await using (var load = new NpgsqlCommand($"SELECT memory_count, interaction_count, success_rate, data FROM {Schema}.mt_doc_userprofile WHERE id = $1", connection))
                {
                    load.Parameters.Add(new NpgsqlParameter { Value = user });
                    await using var reader = await load.ExecuteReaderAsync();
                    await reader.ReadAsync();
                    (memories, interactions, rate) = (reader.GetInt32(0), reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetDouble(2));
                    _ = reader.GetString(3);
                }

                await using (var counts = new NpgsqlCommand(sql, connection))
                {
                    counts.Parameters.Add(new NpgsqlParameter { Value = memories });
                    counts.Parameters.Add(new NpgsqlParameter { Value = interactions });
                    counts.Parameters.Add(new NpgsqlParameter { Value = (object?)rate ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Double });
                    await using var reader = await counts.ExecuteReaderAsync();
                    await reader.ReadAsync();
                }

                latency.Add(t0);
            }

            return latency;
        }

        return Latencies.Merge(await Task.WhenAll(Enumerable.Range(0, clients).Select(Client)));
    }

    /// <summary>
    /// What the single-database set-up pays for the exact global counts (docs/scaling.md): the shard's reporter looks
    /// for changed figures every 250 ms with one full join of the patterns and its record of them. Timed with nothing
    /// to send, once the service's reporter has sent the seeded patterns (that catch-up is timed too); the baseline is
    /// a count of the pattern table.
    /// </summary>
    public async Task ShardReportAsync(List<Row> rows)
    {
        await EnsurePopulationAsync();
        var patterns = Convert.ToInt64(await ScalarAsync($"SELECT count(*) FROM {Schema}.mt_doc_pattern"));
        Log.Phase($"4a. Shard report: the reporter's look for changed figures over {patterns:N0} patterns");
        var catchUp = Stopwatch.StartNew();
        while ((await ShardFiguresReporter.ChangesAsync(raw, CancellationToken.None)).Count > 0)
        {
            if (catchUp.Elapsed > TimeSpan.FromMinutes(10)) throw new TimeoutException("the shard's reporter did not catch up in 10 minutes");
            await Task.Delay(100);
        }

        Log.Info($"  the service's reporter sent every seeded pattern's figures in {catchUp.Elapsed.TotalSeconds:F1} s");
        var full = new List<double>();
        var sinceLast = new List<double>();
        var baseline = new List<double>();
        var newest = (await ShardFiguresReporter.LookAsync(raw, null, CancellationToken.None))?.Newest ?? 0;
        for (var i = 0; i < 10; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var left = (await ShardFiguresReporter.ChangesAsync(raw, CancellationToken.None)).Count;
            full.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            if (left > 0) Log.Info($"  run {i + 1}: {left} figures to send (the daemon still counting?)");
            t0 = Stopwatch.GetTimestamp();
            await ShardFiguresReporter.LookAsync(raw, newest, CancellationToken.None);
            sinceLast.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            t0 = Stopwatch.GetTimestamp();
            await ScalarAsync($"SELECT count(*) FROM {Schema}.mt_doc_pattern");
            baseline.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }

        // The reporter's default: a look every 250 ms, every 40th of them full.
        var (f, l, b) = (Stats.Median(full), Stats.Median(sinceLast), Stats.Median(baseline));
        var share = (f + 39 * l) / 40 / 250 * 100;
        Log.Info($"  full look, median of 10: {f:F1} ms; look since the last: {l:F2} ms; count of the table {b:F1} ms; " +
                 $"at one look every 250 ms, one in 40 full: {share:F2}% of one core");
        rows.Add(new Row("Shard report: full look", $"{patterns:N0} patterns", $"{f:F1} ms", $"{b:F1} ms (count of the table)", $"{f / b:F1}x", "-", "-"));
        rows.Add(new Row("Shard report: look since the last", $"{patterns:N0} patterns", $"{l:F2} ms ({share:F2}% of a core in all)", "-", "-", "-", "-"));
        rows.Add(new Row("Shard report: catch-up", $"{patterns:N0} patterns", $"{catchUp.Elapsed.TotalSeconds:F1} s", "-", "-", "-", "-"));
    }

    public async Task AggregationAsync(List<Row> rows)
    {
        await EnsurePopulationAsync();
        var memories = Convert.ToInt64(await ScalarAsync($"SELECT count(*) FROM {Schema}.mt_doc_memory"));
        var users = Convert.ToInt64(await ScalarAsync($"SELECT count(*) FROM {Schema}.mt_doc_userprofile"));
        Log.Phase($"4. Aggregation: POST /api/admin/aggregate over {users:N0} users, {memories:N0} memories (3 runs each side)");
        var admin = Token("bench-admin", Roles.Admin);
        var ours = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/aggregate");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
            var t0 = Stopwatch.GetTimestamp();
            using var response = await _http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            Log.Info($"  run {i + 1}: {(int)response.StatusCode} in {ms:N0} ms: {body[..Math.Min(220, body.Length)]}");
            if (response.IsSuccessStatusCode) ours.Add(ms);
        }

        Log.Info("  plain table bench.memories (user_id, type, key, confidence) with the same rows");
        await ExecuteAsync($"""
            DROP TABLE IF EXISTS bench.memories;
            CREATE SCHEMA IF NOT EXISTS bench;
            CREATE TABLE bench.memories AS SELECT user_id, type, key, confidence FROM {Schema}.mt_doc_memory;
            """);
        await ExecuteAsync("VACUUM ANALYZE bench.memories");
        const string seedQuery = """
            SELECT key, type, COUNT(DISTINCT user_id) FROM bench.memories WHERE confidence >= 0.7 AND type <> 'personal_info'
            GROUP BY key, type HAVING COUNT(DISTINCT user_id) >= 2
            """;
        var baseline = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var patterns = await CountRowsAsync(seedQuery);
            baseline.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            Log.Info($"  seed query run {i + 1}: {patterns:N0} patterns in {baseline[^1]:N0} ms");
        }

        var serviceSql = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            await CountRowsAsync($"""
                SELECT m.type, m.key, count(*)::int, coalesce(sum(p.rated_turns), 0)::int, coalesce(sum(p.successful_turns), 0)::int
                FROM {Schema}.mt_doc_memory m LEFT JOIN {Schema}.mt_doc_userprofile p ON p.id = m.user_id
                WHERE m.confidence >= 0.7 AND m.type <> 'personal_info' GROUP BY m.type, m.key
                """);
            serviceSql.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }

        Log.Info($"  the service's recompute SQL alone (GROUP BY with the profile join), median of 3: {Stats.Median(serviceSql):N0} ms");

        var o = Stats.Median(ours);
        var b = Stats.Median(baseline);
        rows.Add(new Row("Aggregation (median of 3)", $"{users:N0} users, {memories:N0} memories",
            ours.Count == 0 ? "failed" : $"{o:N0} ms", $"{b:N0} ms", ours.Count == 0 ? "-" : $"{o / b:F2}x", "<= 1.0x (no slower)",
            ours.Count == 3 && o <= b ? "met" : "missed"));
    }

    // ---------------------------------------------------------------- context

    /// <summary>
    /// GET /api/me/context, what the chat app asks before every answer, over the seeded population (and the knowledge the
    /// aggregation promoted, when it ran first), against the same rows read raw in one round trip.
    /// </summary>
    public async Task ContextAsync(List<Row> rows)
    {
        await EnsurePopulationAsync();
        // The aggregation's promotions reach the knowledge read model through the promotion watcher and the async daemon.
        var settled = Stopwatch.StartNew();
        for (long before = -1, now; settled.Elapsed < TimeSpan.FromMinutes(5); before = now)
        {
            await AsyncDaemonCaughtUpAsync();
            now = Convert.ToInt64(await ScalarAsync($"SELECT count(*) FROM {Schema}.mt_doc_knowledgeitem"));
            if (now == before) break;
            await Task.Delay(2000);
        }

        var population = Convert.ToInt32(await ScalarAsync($"SELECT count(*) FROM {Schema}.mt_doc_userprofile"));
        var knowledge = Convert.ToInt32(await ScalarAsync($"SELECT count(*) FROM {Schema}.mt_doc_knowledgeitem"));
        var requests = options.Quick ? 600 : 3000;
        const int clients = 4;
        Log.Phase($"Context: GET /api/me/context, {requests:N0} requests from {clients} clients over {population:N0} users, {knowledge:N0} knowledge items");
        var random = new Random(11);
        var tokens = Enumerable.Range(0, 300).Select(_ => $"pop-{random.Next(_populationUsers):D7}").Select(u => (u, Token(u, Roles.User))).ToArray();
        var ours = await MeasureGetsAsync("/api/me/context", tokens, 50, requests, clients);
        Log.Info($"  a context of {tokens[0].Item1} is {await ContextBytesAsync(tokens[0].Item2):N0} bytes");
        var baseline = await ContextRawAsync(tokens, requests, clients);
        Log.Info($"raw (the user's memories and profile, the 20 highest ranked knowledge items with their patterns and standings, the experiments: one batch via Npgsql): {baseline.Summary()}");
        rows.Add(new Row("Context p50/p99", $"{population:N0} users, {knowledge:N0} knowledge, {clients} clients",
            $"{ours.P(50):F1}/{ours.P(99):F1} ms", $"{baseline.P(50):F1}/{baseline.P(99):F1} ms", $"{ours.P(99) / baseline.P(99):F1}x (p99)",
            "p99 < 20 ms", ours.P(99) < 20 ? "met" : "missed"));
    }

    private async Task<int> ContextBytesAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/me/context");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request);
        return (await response.Content.ReadAsByteArrayAsync()).Length;
    }

    // ---------------------------------------------------------------- recommendations

    /// <summary>
    /// GET /api/me/recommendations over the seeded population, clustered here (the clustering alone, in this process,
    /// on the seeded memories; its memberships bulk-inserted as a run would leave them), against its two queries raw.
    /// </summary>
    public async Task RecommendationsAsync(List<Row> rows)
    {
        await EnsurePopulationAsync();
        var tokens = await SeededTokensAsync();
        var t0 = Stopwatch.GetTimestamp();
        var outcome = CrossLearn.Features.Clusters.Clustering.Run(tokens, new CrossLearn.Features.Clusters.ClusteringParameters());
        Log.Phase($"Recommendations: {tokens.Count:N0} users clustered into {outcome.Clusters} in {Stopwatch.GetElapsedTime(t0).TotalSeconds:F1} s (in process)");
        var runId = Guid.NewGuid();
        await using (var store = Seeding.Store(connectionString))
            await store.BulkInsertAsync(outcome.Labels.Select(l => new CrossLearn.Features.Clusters.ClusterMembership
                { Id = l.Key, ClusterId = l.Value + 1, RunId = runId, Since = DateTimeOffset.UtcNow }).ToList(), Weasel.Core.BulkInsertMode.OverwriteExisting, batchSize: 10_000);
        await ExecuteAsync($"VACUUM ANALYZE {Schema}.mt_doc_clustermembership");
        Log.Info($"cluster sizes: {string.Join(", ", outcome.Labels.GroupBy(l => l.Value).Select(g => g.Count()).OrderDescending().Select(n => n.ToString("N0")))}");

        var requests = options.Quick ? 300 : 1500;
        const int clients = 4;
        var random = new Random(13);
        var clustered = outcome.Labels.Keys.ToList();
        var users = Enumerable.Range(0, 300).Select(_ => clustered[random.Next(clustered.Count)]).Select(u => (u, Token(u, Roles.User))).ToArray();
        // Warm-up: one request per cluster first, so each cluster's first count (timed here) is not in the percentiles.
        var firstCounts = new List<string>();
        foreach (var member in outcome.Labels.GroupBy(l => l.Value).OrderByDescending(g => g.Count()).Select(g => g.First().Key))
        {
            var w0 = Stopwatch.GetTimestamp();
            await BodyAsync("/api/me/recommendations", Token(member, Roles.User));
            firstCounts.Add($"{Stopwatch.GetElapsedTime(w0).TotalMilliseconds:N0}");
        }
        Log.Info($"first request of each cluster (counts its items), largest cluster first: {string.Join(", ", firstCounts)} ms");
        var ours = await MeasureGetsAsync("/api/me/recommendations", users, 30, requests, clients);
        Log.Info($"  the recommendations of {users[0].Item1}: {await BodyAsync("/api/me/recommendations", users[0].Item2)}");
        // The baseline counts in every request (seconds each at full size): fewer requests, the same percentiles asked.
        var baseline = await RecommendationsRawAsync(users, outcome.Labels, Math.Min(requests, 200), clients);
        Log.Info($"raw (the counting the service keeps per cluster, done in every request: one batch via Npgsql): {baseline.Summary()}");
        rows.Add(new Row("Recommendations p50/p99", $"{_populationUsers:N0} users, {outcome.Clusters} clusters, {clients} clients",
            $"{ours.P(50):F1}/{ours.P(99):F1} ms", $"{baseline.P(50):F1}/{baseline.P(99):F1} ms", $"{ours.P(99) / baseline.P(99):F1}x (p99)",
            "p99 < 20 ms", ours.P(99) < 20 ? "met" : "missed"));
    }

    /// <summary>Each seeded user's clustering tokens, read as a run reads them (non-personal memories at 0.7 or more).</summary>
    private async Task<Dictionary<string, IReadOnlySet<string>>> SeededTokensAsync()
    {
        var taught = new Dictionary<string, List<CrossLearn.Features.Clusters.TaughtItem>>();
        await using (var command = raw.CreateCommand($"SELECT user_id, type, key, data->>'Category' FROM {Schema}.mt_doc_memory WHERE confidence >= 0.7 AND type <> 'personal_info'"))
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
            {
                if (!taught.TryGetValue(reader.GetString(0), out var list)) taught[reader.GetString(0)] = list = [];
                list.Add(new CrossLearn.Features.Clusters.TaughtItem(reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
            }

        return taught.ToDictionary(t => t.Key, t => CrossLearn.Features.Clusters.ClusterFeatures.Tokens(t.Value));
    }

    // ---------------------------------------------------------------- a clustering run through the service

    /// <summary>
    /// A whole clustering run through the service over the seeded population: <c>POST /api/admin/clusters/runs</c> reads
    /// every user's memories and memberships, clusters, writes each changed membership to its user's stream (locked as
    /// a turn locks it) and judges the clusters' knowledge; then the same again with nothing changed. Against the
    /// clustering alone, in this process, on the same memories (the part no service can skip). Then the cluster
    /// knowledge evaluation alone (<c>POST /api/admin/clusters/knowledge/evaluations</c>) against its count query raw.
    /// </summary>
    public async Task ClusteringRunAsync(List<Row> rows)
    {
        await EnsurePopulationAsync();
        // The seeded users have documents but no streams: each gets the stream row their first turn would have made.
        await ExecuteAsync($"INSERT INTO {Schema}.mt_streams (id, version) SELECT id, 1 FROM {Schema}.mt_doc_userprofile ON CONFLICT (id) DO NOTHING");
        var tokens = await SeededTokensAsync();
        var t0 = Stopwatch.GetTimestamp();
        var alone = CrossLearn.Features.Clusters.Clustering.Run(tokens, new CrossLearn.Features.Clusters.ClusteringParameters());
        var aloneSeconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        Log.Phase($"Clustering run through the service: {tokens.Count:N0} users (the clustering alone, in this process: {aloneSeconds:F1} s, {alone.Clusters} clusters)");
        var admin = Token("bench-admin", Roles.Admin);

        async Task<(double Seconds, System.Text.Json.JsonElement Run)> RunAsync()
        {
            var w0 = Stopwatch.GetTimestamp();
            var started = await SendJsonAsync(HttpMethod.Post, "/api/admin/clusters/runs", admin);
            var runId = started.GetProperty("runId").GetGuid();
            while (true)
            {
                var run = await SendJsonAsync(HttpMethod.Get, "/api/admin/clusters/runs/latest", admin);
                var status = run.GetProperty("status").GetString();
                if (run.GetProperty("runId").GetGuid() == runId && status != "running")
                {
                    if (status != "completed") throw new InvalidOperationException($"the run ended {status}: {run}");
                    return (Stopwatch.GetElapsedTime(w0).TotalSeconds, run);
                }

                await Task.Delay(250);
            }
        }

        var cpu0 = _cpu.Take();
        var (firstSeconds, first) = await RunAsync();
        var cpu1 = _cpu.Take();
        Log.Info($"first run: {firstSeconds:F1} s, {first.GetProperty("clusters").GetInt32()} clusters, {first.GetProperty("usersClustered").GetInt32():N0} users clustered, " +
                 $"{first.GetProperty("usersChanged").GetInt32():N0} memberships written");
        Log.Info($"  {CpuMeter.PerUnit(cpu0, cpu1, 1, "run")}");
        var (secondSeconds, second) = await RunAsync();
        Log.Info($"second run (nothing changed): {secondSeconds:F1} s, {second.GetProperty("usersChanged").GetInt32():N0} memberships written");

        var e0 = Stopwatch.GetTimestamp();
        var evaluated = await SendJsonAsync(HttpMethod.Post, "/api/admin/clusters/knowledge/evaluations", admin);
        var evaluationMs = Stopwatch.GetElapsedTime(e0).TotalMilliseconds;
        Log.Info($"cluster knowledge evaluation: {evaluationMs:N0} ms ({evaluated.GetProperty("patterns").GetInt32():N0} cluster patterns, {evaluated.GetProperty("knowledge").GetInt32():N0} knowledge)");
        var r0 = Stopwatch.GetTimestamp();
        // The count query of one database, as the evaluation runs it with one shard (ClusterPatterns.CountAsync).
        await using (var count = raw.CreateCommand($"""
            SELECT c.cluster_id, m.type, m.key, count(*)::int, coalesce(sum(p.rated_turns), 0)::int, coalesce(sum(p.successful_turns), 0)::int
            FROM {Schema}.mt_doc_memory m JOIN {Schema}.mt_doc_clustermembership c ON c.id = m.user_id
            LEFT JOIN {Schema}.mt_doc_userprofile p ON p.id = m.user_id
            WHERE m.confidence >= 0.7 AND m.type <> 'personal_info'
            GROUP BY c.cluster_id, m.type, m.key HAVING count(*) >= 2
            """))
        await using (var reader = await count.ExecuteReaderAsync())
            while (await reader.ReadAsync()) { }
        var rawMs = Stopwatch.GetElapsedTime(r0).TotalMilliseconds;
        Log.Info($"raw (the evaluation's count query via Npgsql): {rawMs:N0} ms");

        rows.Add(new Row("Clustering run through the service", $"{tokens.Count:N0} users, {first.GetProperty("clusters").GetInt32()} clusters",
            $"{firstSeconds:F1} s ({secondSeconds:F1} s unchanged)", $"{aloneSeconds:F1} s (clustering alone, in process)", $"{firstSeconds / aloneSeconds:F1}x",
            "<= 60 s at 100,000 users", firstSeconds <= 60 ? "met" : "missed"));
        rows.Add(new Row("Cluster knowledge evaluation", $"{tokens.Count:N0} users", $"{evaluationMs:N0} ms", $"{rawMs:N0} ms (its count query)",
            $"{evaluationMs / rawMs:F1}x", "-", "-"));
    }

    private async Task<System.Text.Json.JsonElement> SendJsonAsync(HttpMethod method, string path, string token)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (method == HttpMethod.Post) request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {body}");
        return System.Text.Json.JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<string> BodyAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return body[..Math.Min(300, body.Length)];
    }

    private async Task<Latencies> RecommendationsRawAsync((string User, string Token)[] users, IReadOnlyDictionary<string, int> labels, int requests, int clients)
    {
        var remaining = requests;

        async Task<Latencies> Client(int c)
        {
            var latency = new Latencies();
            var random = new Random(c);
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var (user, _) = users[random.Next(users.Length)];
                var cluster = labels[user] + 1;
                var t0 = Stopwatch.GetTimestamp();
                await using var connection = await raw.OpenConnectionAsync();
                await using var batch = new NpgsqlBatch(connection)
                {
                    BatchCommands =
                    {
                        new NpgsqlBatchCommand($"""
                            SELECT count(*)::int, coalesce(sum(p.rated_turns), 0)::bigint, coalesce(sum(p.successful_turns), 0)::bigint
                            FROM {Schema}.mt_doc_clustermembership c LEFT JOIN {Schema}.mt_doc_userprofile p ON p.id = c.id WHERE c.cluster_id = $1 AND c.id <> $2
                            """) { Parameters = { new NpgsqlParameter { Value = cluster }, new NpgsqlParameter { Value = user } } },
                        new NpgsqlBatchCommand($"""
                            SELECT m.type, m.key, count(*)::int, coalesce(sum(p.rated_turns), 0)::bigint, coalesce(sum(p.successful_turns), 0)::bigint
                            FROM {Schema}.mt_doc_memory m JOIN {Schema}.mt_doc_clustermembership c ON c.id = m.user_id LEFT JOIN {Schema}.mt_doc_userprofile p ON p.id = m.user_id
                            WHERE c.cluster_id = $1 AND m.user_id <> $2 AND m.confidence >= 0.7 AND m.type = ANY($3)
                              AND NOT EXISTS (SELECT 1 FROM {Schema}.mt_doc_memory own WHERE own.user_id = $2 AND own.key = m.key)
                            GROUP BY m.type, m.key
                            """)
                        {
                            Parameters = { new NpgsqlParameter { Value = cluster }, new NpgsqlParameter { Value = user }, new NpgsqlParameter { Value = new[] { "preference", "interest" } } }
                        }
                    }
                };
                await using (var reader = await batch.ExecuteReaderAsync())
                    do
                        while (await reader.ReadAsync()) _ = reader.GetValue(0);
                    while (await reader.NextResultAsync());
                latency.Add(t0);
            }

            return latency;
        }

        return Latencies.Merge(await Task.WhenAll(Enumerable.Range(0, clients).Select(Client)));
    }

    /// <summary>Waits (up to 10 minutes) until every async projection has applied every event appended so far.</summary>
    private async Task<TimeSpan> AsyncDaemonCaughtUpAsync()
    {
        var caughtUp = Stopwatch.StartNew();
        var highest = Convert.ToInt64(await ScalarAsync($"SELECT coalesce(max(seq_id), 0) FROM {Schema}.mt_events"));
        while (caughtUp.Elapsed < TimeSpan.FromMinutes(10)
               && Convert.ToInt64(await ScalarAsync($"SELECT coalesce(min(last_seq_id), 0) FROM {Schema}.mt_event_progression WHERE name LIKE '%:All'")) < highest)
            await Task.Delay(250);
        return caughtUp.Elapsed;
    }

    private async Task<Latencies> ContextRawAsync((string User, string Token)[] tokens, int requests, int clients)
    {
        var remaining = requests;

        async Task<Latencies> Client(int c)
        {
            var latency = new Latencies();
            var random = new Random(c);
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                var (user, _) = tokens[random.Next(tokens.Length)];
                var t0 = Stopwatch.GetTimestamp();
                await using var connection = await raw.OpenConnectionAsync();
                await using var batch = new NpgsqlBatch(connection)
                {
                    BatchCommands =
                    {
                        new NpgsqlBatchCommand($"SELECT data FROM {Schema}.mt_doc_memory WHERE user_id = $1 ORDER BY confidence DESC")
                            { Parameters = { new NpgsqlParameter { Value = user } } },
                        new NpgsqlBatchCommand($"SELECT data FROM {Schema}.mt_doc_userprofile WHERE id = $1") { Parameters = { new NpgsqlParameter { Value = user } } },
                        // The 20 highest ranked (the service's default Context:MaxKnowledge) with their figures, ranked anew each time.
                        new NpgsqlBatchCommand($"""
                            SELECT k.data, p.data, s.data FROM {Schema}.mt_doc_knowledgeitem k
                            LEFT JOIN {Schema}.mt_doc_pattern p ON p.id = k.id LEFT JOIN {Schema}.mt_doc_patternstanding s ON s.id = k.id
                            ORDER BY coalesce((s.data->>'Weight')::float8, p.user_count) DESC, p.user_count DESC LIMIT 20
                            """),
                        new NpgsqlBatchCommand($"SELECT data FROM {Schema}.mt_doc_experiment WHERE status <> 'stopped'")
                    }
                };
                await using (var reader = await batch.ExecuteReaderAsync())
                    do
                        while (await reader.ReadAsync()) _ = reader.GetValue(0);
                    while (await reader.NextResultAsync());
                latency.Add(t0);
            }

            return latency;
        }

        return Latencies.Merge(await Task.WhenAll(Enumerable.Range(0, clients).Select(Client)));
    }

    // ---------------------------------------------------------------- 5. rebuild

    public async Task RebuildAsync(List<Row> rows)
    {
        var target = options.Size(1_000_000, 100_000);
        var existing = Convert.ToInt64(await ScalarAsync($"SELECT count(*) FROM {Schema}.mt_events"));
        Log.Phase($"5. Rebuild: topping {existing:N0} events up to {target:N0} (Marten appends in batches of ~2,000, not HTTP)");
        await using (var store = Seeding.Store(connectionString)) await Seeding.SeedEventsAsync(store, (int)(target - existing), seed: 9);
        await ExecuteAsync($"VACUUM ANALYZE {Schema}.mt_events");
        await ExecuteAsync($"VACUUM ANALYZE {Schema}.mt_streams");
        var events = Convert.ToInt64(await ScalarAsync($"SELECT count(*) FROM {Schema}.mt_events"));

        // The seeded events are new to the async daemon: without this wait the live feed subscription and the pattern
        // projection catch up on them during the rebuild (100,000 live_feed inserts in the rebuild's window in the quick
        // run), and the rebuild is charged for work that is not the rebuild.
        var caughtUp = await AsyncDaemonCaughtUpAsync();
        Log.Info($"async daemon caught up with the seeded events in {caughtUp.TotalSeconds:F1} s (not part of the rebuild's time)");

        Log.Info($"POST /api/admin/projections/rebuild over {events:N0} events; load {Log.Load()}");
        var admin = Token("bench-admin", Roles.Admin);
        service.ResetPeak();
        using var sampling = new CancellationTokenSource();
        var sampler = service.SampleMaxRssAsync(sampling.Token);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/projections/rebuild");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        var cpu0 = _cpu.Take();
        var t0 = Stopwatch.GetTimestamp();
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var cpu1 = _cpu.Take();
        Log.Info($"  {CpuMeter.PerUnit(cpu0, cpu1, (int)(events / 1000), "1,000 events")} (backends that close during the rebuild are not counted); wall {seconds * 1000 * 1000 / events:F1} ms per 1,000 events");
        await sampling.CancelAsync();
        var sampledRss = await sampler;
        var (peak, _) = service.Memory();
        Log.Info($"  {(int)response.StatusCode} in {seconds:F1} s: {body[..Math.Min(600, body.Length)]}");

        Log.Info("baseline: SELECT every column FROM mt_events ORDER BY seq_id, one Npgsql query, every value read");
        var rawSeconds = new List<double>();
        for (var i = 0; i < 2; i++)
        {
            var r0 = Stopwatch.GetTimestamp();
            await using var command = raw.CreateCommand(
                $"SELECT seq_id, id, stream_id, version, data, type, timestamp, tenant_id, mt_dotnet_type FROM {Schema}.mt_events ORDER BY seq_id");
            command.CommandTimeout = 0;
            await using var reader = await command.ExecuteReaderAsync();
            long n = 0, bytes = 0;
            while (await reader.ReadAsync())
            {
                n++;
                _ = reader.GetInt64(0);
                _ = reader.GetGuid(1);
                bytes += reader.GetString(2).Length + reader.GetString(4).Length + reader.GetString(5).Length;
                _ = reader.GetInt64(3);
                _ = reader.GetFieldValue<DateTimeOffset>(6);
            }

            rawSeconds.Add(Stopwatch.GetElapsedTime(r0).TotalSeconds);
            Log.Info($"  read {n:N0} events ({bytes / 1e6:N0} M chars) in {rawSeconds[^1]:F2} s");
        }

        var ours = response.IsSuccessStatusCode ? events / seconds : double.NaN;
        var baseline = events / rawSeconds.Min();
        rows.Add(new Row("Rebuild all projections", $"{events:N0} events",
            response.IsSuccessStatusCode ? $"{ours:N0} events/s" : $"failed {(int)response.StatusCode}", $"{baseline:N0} events/s",
            $"{ours / baseline:P1}", ">= 100,000/s and >= 25%", ours >= 100_000 && ours / baseline >= 0.25 ? "met" : "missed"));
        rows.Add(new Row("Peak working set, rebuild", $"{events:N0} events", $"{Math.Max(peak, sampledRss):N0} MB", "-", "-", "< 500 MB",
            Math.Max(peak, sampledRss) < 500 ? "met" : "missed"));
    }

    // ---------------------------------------------------------------- 6. re-extraction

    /// <summary>
    /// Every recorded user message through the current rules (POST /api/admin/reextract, run in the background to its
    /// end), over the events the rebuild ran on; against reading the same messages in one ordered query and extracting
    /// them on one thread in this process.
    /// </summary>
    public async Task ReextractionAsync(List<Row> rows)
    {
        var turns = Convert.ToInt64(await ScalarAsync($"SELECT count(*) FROM {Schema}.mt_events WHERE type = 'turn_recorded'"));
        Log.Phase($"6. Re-extraction: POST /api/admin/reextract over {turns:N0} recorded turns; load {Log.Load()}");
        var admin = Token("bench-admin", Roles.Admin);
        var cpu0 = _cpu.Take();
        var t0 = Stopwatch.GetTimestamp();
        using (var start = new HttpRequestMessage(HttpMethod.Post, "/api/admin/reextract"))
        {
            start.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
            using var started = await _http.SendAsync(start);
            if (started.StatusCode != HttpStatusCode.Accepted)
            {
                Log.Info($"  {(int)started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
                rows.Add(new Row("Re-extraction", $"{turns:N0} turns", $"failed {(int)started.StatusCode}", "-", "-", "turns/s reported", "-"));
                return;
            }
        }

        JsonElement run;
        var lastLog = Stopwatch.StartNew();
        while (true)
        {
            using var poll = new HttpRequestMessage(HttpMethod.Get, "/api/admin/reextract");
            poll.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
            using var answer = await _http.SendAsync(poll);
            run = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.Clone();
            if (run.GetProperty("status").GetString() != "running") break;
            if (lastLog.Elapsed > TimeSpan.FromSeconds(10))
            {
                Log.Info($"  users {run.GetProperty("usersDone")}/{run.GetProperty("usersTotal")}, events appended {run.GetProperty("eventsAppended")}");
                lastLog.Restart();
            }

            if (Stopwatch.GetElapsedTime(t0) > TimeSpan.FromMinutes(60)) break;
            await Task.Delay(200);
        }

        var seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        var cpu1 = _cpu.Take();
        var status = run.GetProperty("status").GetString();
        Log.Info($"  {status} in {seconds:F1} s: users {run.GetProperty("usersDone")}, events appended {run.GetProperty("eventsAppended")}, " +
                 $"skipped {run.GetProperty("usersSkipped")}");
        Log.Info($"  {CpuMeter.PerUnit(cpu0, cpu1, (int)Math.Max(1, turns / 1000), "1,000 turns")}");

        Log.Info("baseline: every TurnRecorded's message in one ordered query, MemoryExtractor.Extract on one thread here");
        var r0 = Stopwatch.GetTimestamp();
        await using (var command = raw.CreateCommand($"SELECT data->>'UserMessage' FROM {Schema}.mt_events WHERE type = 'turn_recorded' ORDER BY seq_id"))
        {
            command.CommandTimeout = 0;
            await using var reader = await command.ExecuteReaderAsync();
            long extracted = 0;
            while (await reader.ReadAsync()) extracted += MemoryExtractor.Extract(reader.GetString(0)).Count;
            Log.Info($"  {extracted:N0} memories extracted");
        }

        var rawSeconds = Stopwatch.GetElapsedTime(r0).TotalSeconds;
        var ours = status == "completed" ? turns / seconds : double.NaN;
        var baseline = turns / rawSeconds;
        rows.Add(new Row("Re-extraction", $"{turns:N0} turns", status == "completed" ? $"{ours:N0} turns/s" : status ?? "?",
            $"{baseline:N0} turns/s", $"{ours / baseline:P1}", "turns/s reported", "-"));
    }

    // ---------------------------------------------------------------- helpers

    private async Task<Dictionary<string, long>> DatabaseCountersAsync()
    {
        var counters = new Dictionary<string, long>();
        await using var command = raw.CreateCommand($"""
            SELECT 'transactions', xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()
            UNION ALL SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables WHERE schemaname = '{Schema}'
            """);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) counters[reader.GetString(0)] = reader.GetInt64(1);
        return counters;
    }

    private async Task ExplainAsync(string sql)
    {
        await using var command = raw.CreateCommand("EXPLAIN (ANALYZE, BUFFERS) " + sql);
        await using var reader = await command.ExecuteReaderAsync();
        var plan = new List<string>();
        while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
        Log.Info("  EXPLAIN ANALYZE of the percentile query: " + string.Join(" / ", plan.Where(l => l.Contains("Scan") || l.Contains("Execution Time")).Select(l => l.Trim())));
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = raw.CreateCommand(sql);
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var command = raw.CreateCommand(sql);
        command.CommandTimeout = 0;
        return await command.ExecuteScalarAsync();
    }

    private async Task<long> CountRowsAsync(string sql)
    {
        await using var command = raw.CreateCommand(sql);
        command.CommandTimeout = 0;
        await using var reader = await command.ExecuteReaderAsync();
        long n = 0;
        while (await reader.ReadAsync()) n++;
        return n;
    }

    public static async Task<string> FreshDatabaseAsync(EmbeddedPostgres postgres)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString("postgres"));
        await connection.OpenAsync();
        var old = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname LIKE 'bench_%'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) old.Add(reader.GetString(0));
        foreach (var name in old)
        {
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }

        var database = $"bench_{DateTime.UtcNow:yyyyMMdd_HHmmss}";
        await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
        await create.ExecuteNonQueryAsync();
        return database;
    }

    public static string CpuModel() => File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "?"
        : "?";

    public static string MemoryTotal() => File.Exists("/proc/meminfo")
        ? $"{double.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024 / 1024:F1} GB RAM"
        : "?";

    public static void PrintTable(List<Row> rows, Options options)
    {
        Console.WriteLine();
        Console.WriteLine($"Results ({(options.Quick ? "--quick" : "full")}, scale {options.Scale}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load {Log.Load()})");
        var header = new Row("Scenario", "Data size", "CrossLearn", "Baseline", "Ratio", "Target", "Verdict");
        var all = new[] { header }.Concat(rows).ToList();
        string[] Cells(Row r) => [r.Scenario, r.Data, r.Ours, r.Baseline, r.Ratio, r.Target, r.Verdict];
        var widths = Enumerable.Range(0, 7).Select(i => all.Max(r => Cells(r)[i].Length)).ToArray();
        foreach (var (r, i) in all.Select((r, i) => (r, i)))
        {
            Console.WriteLine("| " + string.Join(" | ", Cells(r).Select((c, j) => c.PadRight(widths[j]))) + " |");
            if (i == 0) Console.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        }
    }
}
