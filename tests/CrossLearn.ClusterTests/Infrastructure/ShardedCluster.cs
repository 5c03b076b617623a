using CrossLearn.DevDatabase;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Sharding;
using Npgsql;

namespace CrossLearn.ClusterTests.Infrastructure;

/// <summary>
/// Three PostgreSQL clusters on ports of their own (two shard databases and the global store, under .data/cluster-*)
/// and two service processes over them, as a deployment with two nodes would run (docs/scaling.md). East holds buckets
/// 0-511 and, as the first database, what is no user's (the node registry, the knowledge stream); west 512-1023.
/// Every run starts from empty schemas. Tests stop and start servers and nodes, and leave them running again.
/// </summary>
public sealed class ShardedCluster : IAsyncLifetime
{
    public const string East = "east";
    public const string West = "west";
    public const string SigningKey = "cluster-tests-signing-key-0123456789-0123456789-abcdef";
    private const int FirstWestBucket = 512;

    private readonly Dictionary<string, EmbeddedPostgres> _servers = new();
    private Dictionary<string, string> _settings = new();

    public IReadOnlyList<ServiceProcess> Nodes { get; private set; } = [];

    /// <summary>The shard databases' servers by name, and the global store's as <see cref="GlobalName"/>.</summary>
    public EmbeddedPostgres Server(string name) => _servers[name];

    public const string GlobalName = "global";

    /// <summary>The superuser's connection to a server's database: the tests' own view of its tables.</summary>
    public string Owner(string name) => _servers[name].ConnectionString(DatabaseOf(name));

    /// <summary>
    /// Each server's database has a name of its own (crosslearn_east, ...): Marten and Wolverine tell databases apart by
    /// host and name, not port, so the service refuses two shards named alike on one host (ShardMapTests).
    /// </summary>
    private static string DatabaseOf(string name) => $"crosslearn_{name}";

    public static string ShardOf(string userId) => Buckets.Of(userId) < FirstWestBucket ? East : West;

    /// <summary>Users whose buckets lie in <paramref name="shard"/>, named after the test.</summary>
    public static List<string> UsersIn(string shard, string prefix, int count) =>
        Enumerable.Range(0, 100_000).Select(i => $"{prefix}-{i}").Where(u => ShardOf(u) == shard).Take(count).ToList();

    /// <summary><paramref name="perShard"/> users of each shard, east's first.</summary>
    public static List<string> UsersOfBoth(string prefix, int perShard) => [.. UsersIn(East, prefix, perShard), .. UsersIn(West, prefix, perShard)];

    public string Token(string userId, string role = Roles.User) =>
        TokenIssuer.Issue(new AuthSettings { SigningKey = SigningKey }, userId, role, TimeSpan.FromHours(2), DateTimeOffset.UtcNow);

    public async Task InitializeAsync()
    {
        var names = new[] { East, West, GlobalName };
        var started = await Task.WhenAll(names.Select(name => StartEmptyAsync($"cluster-{name}", DatabaseOf(name))));
        for (var i = 0; i < names.Length; i++) _servers[names[i]] = started[i];

        string Runtime(string name) => new NpgsqlConnectionStringBuilder(_servers[name].RuntimeConnectionStringAsync().GetAwaiter().GetResult())
            { Database = DatabaseOf(name) }.ConnectionString;
        _settings = new Dictionary<string, string>
        {
            ["ConnectionStrings__Marten"] = Runtime(East), ["ConnectionStrings__MartenOwner"] = Owner(East),
            ["ConnectionStrings__Global"] = Runtime(GlobalName), ["ConnectionStrings__GlobalOwner"] = Owner(GlobalName),
            ["Sharding__Databases__0__Name"] = East, ["Sharding__Databases__0__ConnectionString"] = Runtime(East),
            ["Sharding__Databases__0__OwnerConnectionString"] = Owner(East), ["Sharding__Databases__0__Buckets"] = $"0-{FirstWestBucket - 1}",
            ["Sharding__Databases__1__Name"] = West, ["Sharding__Databases__1__ConnectionString"] = Runtime(West),
            ["Sharding__Databases__1__OwnerConnectionString"] = Owner(West), ["Sharding__Databases__1__Buckets"] = $"{FirstWestBucket}-{Buckets.Count - 1}",
            ["Auth__SigningKey"] = SigningKey,
        };

        // One after the other: the first migrates every database, the second finds them ready.
        var first = await StartNodeAsync("a");
        Nodes = [first, await StartNodeAsync("b")];
    }

    /// <summary>A node whose log is kept whole in .data/cluster-node-<paramref name="name"/>.log, for a failure's diagnosis.</summary>
    private async Task<ServiceProcess> StartNodeAsync(string name)
    {
        var node = await ServiceProcess.StartAsync(new ServiceOptions
        {
            Environment = _settings, LogFile = Path.Combine(Repository.Root(), ".data", $"cluster-node-{name}.log")
        });
        _startOrder.Add(node);
        return node;
    }

    /// <summary>The nodes, the one started last at the end: the order of Wolverine's node registry by start.</summary>
    private readonly List<ServiceProcess> _startOrder = [];

    /// <summary>Starts a node that was killed again, on its port.</summary>
    public async Task StartAgainAsync(ServiceProcess node)
    {
        await node.StartAgainAsync();
        _startOrder.Remove(node);
        _startOrder.Add(node);
    }

    /// <summary>
    /// Each running node's Wolverine node id, from the node registry in the first database: nodes start one after the
    /// other (each is healthy before the next starts), so the registry's start order is theirs.
    /// </summary>
    public async Task<Dictionary<ServiceProcess, Guid>> NodeIdsAsync()
    {
        var rows = await ShardReads.RowsAsync(Owner(East), $"SELECT id FROM {Platform.Storage.EventStore.Schema}.wolverine_nodes ORDER BY started");
        var running = _startOrder.Where(n => n.IsRunning).ToList();
        if (rows.Count != running.Count) throw new InvalidOperationException($"The node registry holds {rows.Count} nodes, {running.Count} run.");
        return running.Select((node, i) => (node, (Guid)rows[i][0]!)).ToDictionary(p => p.node, p => p.Item2);
    }

    /// <summary>Which node runs each agent (Wolverine's assignments: projections per database, our singular agents).</summary>
    public async Task<Dictionary<string, Guid>> AssignmentsAsync() =>
        (await ShardReads.RowsAsync(Owner(East), $"SELECT id, node_id FROM {Platform.Storage.EventStore.Schema}.wolverine_node_assignments"))
        .ToDictionary(r => (string)r[0]!, r => (Guid)r[1]!);

    public async Task DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
        // Stopped here, not left to the run's exit: three servers stopping at process exit did not all finish, and the
        // ones left running were found still up after the run.
        foreach (var server in _servers.Values) await server.StopAsync();
    }

    /// <summary>Starts the server under .data/<paramref name="folder"/> with <paramref name="database"/> made afresh.</summary>
    private static async Task<EmbeddedPostgres> StartEmptyAsync(string folder, string database)
    {
        var embedded = await PrivatePostgres.StartForRunAsync(folder);
        await using var connection = new NpgsqlConnection(embedded.ConnectionString());
        await connection.OpenAsync();
        foreach (var sql in new[] { $"DROP DATABASE IF EXISTS {database} WITH (FORCE)", $"CREATE DATABASE {database}" })
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        return embedded;
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ShardedCluster>
{
    public const string Name = "sharded cluster";
}
