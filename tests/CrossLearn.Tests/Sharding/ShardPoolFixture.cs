using Microsoft.Extensions.DependencyInjection;
using CrossLearn.Platform.Sharding;
using CrossLearn.Platform.Storage;
using Npgsql;

namespace CrossLearn.Tests.Sharding;

/// <summary>
/// A host over a pool of two shard databases in the test cluster, made afresh for each run: east holds buckets 0-511
/// (and, as the first, what is no user's and the global store's schema), west 512-1023.
/// </summary>
public sealed class ShardPoolFixture : AppFixture
{
    public const string East = "east";
    public const string West = "west";
    private const string EastDatabase = "crosslearn_pool_east";
    private const string WestDatabase = "crosslearn_pool_west";

    /// <summary>The superuser's connection to each database, by shard name: the tests' own view of its tables.</summary>
    public IReadOnlyDictionary<string, string> Owner { get; private set; } = new Dictionary<string, string>();

    public ShardMap Map => Host.Services.GetRequiredService<ShardMap>();

    /// <summary>A user of <paramref name="database"/> not used before in this run.</summary>
    public string NewUserIn(string database) =>
        Enumerable.Range(0, 10_000).Select(_ => $"pool-{Guid.NewGuid():N}").First(u => Map.DatabaseOfUser(u).Name == database);

    protected override async Task<IReadOnlyList<(string Key, string? Value)>> HostEnvironmentAsync()
    {
        var owner = await TestDatabase.ConnectionStringAsync();
        var runtime = await TestDatabase.RuntimeConnectionStringAsync();
        foreach (var name in new[] { EastDatabase, WestDatabase }) await CreateAfreshAsync(owner, name);
        string On(string connection, string database) => new NpgsqlConnectionStringBuilder(connection) { Database = database }.ConnectionString;
        Owner = new Dictionary<string, string> { [East] = On(owner, EastDatabase), [West] = On(owner, WestDatabase) };

        return
        [
            ("ConnectionStrings__Marten", On(runtime, EastDatabase)), ("ConnectionStrings__MartenOwner", Owner[East]),
            ("Sharding__Databases__0__Name", East), ("Sharding__Databases__0__ConnectionString", On(runtime, EastDatabase)),
            ("Sharding__Databases__0__OwnerConnectionString", Owner[East]), ("Sharding__Databases__0__Buckets", "0-511"),
            ("Sharding__Databases__1__Name", West), ("Sharding__Databases__1__ConnectionString", On(runtime, WestDatabase)),
            ("Sharding__Databases__1__OwnerConnectionString", Owner[West]), ("Sharding__Databases__1__Buckets", "512-1023")
        ];
    }

    private static async Task CreateAfreshAsync(string owner, string database)
    {
        await using var connection = new NpgsqlConnection(owner);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
        await create.ExecuteNonQueryAsync();
    }

    /// <summary>One number from a shard database, read as the superuser.</summary>
    public async Task<long> ScalarAsync(string database, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(Owner[database]);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>How many events of <paramref name="userId"/>'s stream <paramref name="database"/> holds.</summary>
    public Task<long> EventsOfAsync(string database, string userId) =>
        ScalarAsync(database, $"SELECT count(*) FROM {StoreTables.Events} WHERE stream_id = $1", userId);
}

[CollectionDefinition(Name)]
public sealed class ShardPoolCollection : ICollectionFixture<ShardPoolFixture>
{
    public const string Name = "shard pool";
}
