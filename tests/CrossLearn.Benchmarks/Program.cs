using CrossLearn.DevDatabase;
using System.Diagnostics;
using CrossLearn.Benchmarks;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Npgsql;

// dotnet run -c Release --project tests/CrossLearn.Benchmarks -- [--quick] [--scale N] [--clients N] [--duration S]
//                                                              | --simulate [--users N] [--days D] [--seed S]
//                                                              | --simulate-clusters [--users N] [--seed S]
if (args is ["--workload"])
{
    // Shows which chat lines the service's extractor learns from.
    var random = new Random(1);
    for (var i = 0; i < 40; i++)
    {
        var (message, _) = Workload.Next(random);
        Console.WriteLine($"{CrossLearn.Features.Memories.MemoryExtractor.Extract(message).Count} {message}");
    }

    return 0;
}

// A population with known ground truth played through the API: what the learning decides, scored (issue #15).
if (args is ["--simulate", ..]) return await Simulation.RunAsync(args);
// Planted groups through the API: clusters against the groups, recommendations against popularity (issue #16).
if (args is ["--simulate-clusters", ..]) return await ClusterSimulation.RunAsync(args);

var options = Options.Parse(args);
if (options == null) return 2;

var root = Repository.Root();
Log.Phase($"CrossLearn benchmarks ({(options.Quick ? "quick" : "full")}, scale {options.Scale}, {options.Clients} clients, {options.IngestSeconds} s ingest)");
foreach (var (name, value) in options.ServiceEnvironment) Log.Info($"service environment: {name}={value}");
Log.Info($"machine: {Environment.ProcessorCount} cores, {Bench.MemoryTotal()}, {Bench.CpuModel()}; load {Log.Load()}");

var rows = new List<Row>();
Log.Phase("Extractor alone (before anything else runs)");
ExtractorSpeed.Measure(rows, options.DataDirectory ?? Path.GetFullPath(Path.Combine(root, "..", "shared", "data")));
if (options.Runs("clustering")) ClusteringSpeed.Measure(rows, options);

var dataDirectory = Path.Combine(root, ".data", "bench-postgres");
Log.Phase($"Starting a private PostgreSQL in {dataDirectory}");
var postgres = await EmbeddedPostgres.StartAsync(dataDirectory);
var exitCode = 0;
try
{
    var database = await Bench.FreshDatabaseAsync(postgres);
    var connectionString = postgres.ConnectionString(database);
    // The service runs as in production: a role that owns nothing, the superuser only migrating at start.
    // The benchmark's own seeding and raw baselines use the superuser.
    await EmbeddedPostgres.CreateLoginRoleIfMissingAsync(connectionString, EmbeddedPostgres.RuntimeRole);
    var runtimeConnection = new NpgsqlConnectionStringBuilder(connectionString) { Username = EmbeddedPostgres.RuntimeRole }.ConnectionString;
    Log.Info($"fresh database {database} on port {postgres.Port}; the service connects as {EmbeddedPostgres.RuntimeRole}");

    var signingKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));
    Log.Phase("Starting the service (Release build, separate process)");
    await using var service = await MeasuredService.StartAsync(runtimeConnection, connectionString, signingKey, Repository.DataFile("bench-service.log"), options.ServiceEnvironment);
    await using var raw = NpgsqlDataSource.Create(connectionString);
    var bench = new Bench(options, service, raw, new AuthSettings { SigningKey = signingKey }, connectionString);

    if (options.Runs("ingest") || options.Runs("freshness"))
    {
        var ingest = await bench.IngestAsync(rows);
        if (options.Runs("freshness")) await bench.FreshnessAsync(rows, ingest);
    }

    if (options.Runs("analytics")) await bench.AnalyticsAsync(rows);
    if (options.Runs("aggregation")) await bench.AggregationAsync(rows);
    if (options.Runs("shard-report")) await bench.ShardReportAsync(rows);
    if (options.Runs("context")) await bench.ContextAsync(rows);
    if (options.Runs("clustering-run")) await bench.ClusteringRunAsync(rows);
    if (options.Runs("recommendations")) await bench.RecommendationsAsync(rows);
    if (options.Runs("rebuild") || options.Runs("reextraction")) await bench.RebuildAsync(rows);
    if (options.Runs("reextraction")) await bench.ReextractionAsync(rows);
}
catch (Exception e)
{
    Log.Info($"FAILED: {e}");
    exitCode = 1;
}
finally
{
    await postgres.StopAsync();
}

Bench.PrintTable(rows, options);
return exitCode;

public sealed record Options(bool Quick, double Scale, int Clients, int IngestSeconds, IReadOnlyDictionary<string, string> ServiceEnvironment,
    string? DataDirectory = null, IReadOnlySet<string>? Only = null)
{
    public static readonly string[] Scenarios = ["ingest", "freshness", "analytics", "aggregation", "shard-report", "context", "clustering", "clustering-run", "recommendations", "rebuild", "reextraction"];

    /// <summary>Whether <paramref name="scenario"/> runs: all do, unless --only named some (for experiments; a full record runs all).</summary>
    public bool Runs(string scenario) => Only == null || Only.Contains(scenario);

    public int Size(int full, int quick) => (int)Math.Max(1, Math.Round((Quick ? quick : full) * Scale));

    public static Options? Parse(string[] args)
    {
        var quick = false;
        var scale = 1.0;
        var clients = 16;
        int? seconds = null;
        var environment = new Dictionary<string, string>();
        string? data = null;
        HashSet<string>? only = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick": quick = true; break;
                case "--scale" when i + 1 < args.Length && double.TryParse(args[i + 1], System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0:
                    scale = s; i++; break;
                case "--clients" when i + 1 < args.Length && int.TryParse(args[i + 1], out var c) && c > 0: clients = c; i++; break;
                // An experiment on the service's runtime settings, e.g. --service-env DOTNET_gcServer=0
                case "--service-env" when i + 1 < args.Length && args[i + 1].Contains('='):
                    environment[args[i + 1].Split('=', 2)[0]] = args[i + 1].Split('=', 2)[1]; i++; break;
                // Where the dev sets are (personachat-facts-dev.jsonl, prefeval-explicit-dev.jsonl); default ../shared/data.
                case "--data" when i + 1 < args.Length: data = args[++i]; break;
                case "--duration" when i + 1 < args.Length && int.TryParse(args[i + 1], out var d) && d > 0: seconds = d; i++; break;
                // One experiment without the rest, e.g. --only rebuild (freshness needs ingest, re-extraction the rebuild's events: they run too).
                case "--only" when i + 1 < args.Length && args[i + 1].Split(',').All(Scenarios.Contains):
                    only = [.. args[++i].Split(',')]; break;
                default:
                    Console.WriteLine($"usage: [--quick] [--scale N] [--clients N] [--duration seconds] [--service-env NAME=VALUE]... [--data DIR] [--only {string.Join("|", Scenarios)}[,...]]");
                    return null;
            }
        }

        return new Options(quick, scale, clients, seconds ?? (quick ? 10 : 30), environment, data, only);
    }
}
