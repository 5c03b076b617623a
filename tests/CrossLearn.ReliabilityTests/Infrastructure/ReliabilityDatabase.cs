using CrossLearn.DevDatabase;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Npgsql;

namespace CrossLearn.ReliabilityTests.Infrastructure;

/// <summary>
/// One private PostgreSQL for the whole run, under .data/reliability-postgres (apart from the integration tests'
/// cluster), started once and stopped when the run ends. Tests restart it on purpose.
/// </summary>
public static class ReliabilityDatabase
{
    private static readonly Lazy<Task<EmbeddedPostgres>> Server = new(StartAsync);

    public static Task<EmbeddedPostgres> ServerAsync() => Server.Value;

    /// <summary>The superuser's connection: the schema owner, and the tests' own view of every table.</summary>
    public static async Task<string> ConnectionStringAsync() => (await ServerAsync()).ConnectionString();

    /// <summary>The connection the service runs as: a role that owns nothing, as in production.</summary>
    public static async Task<string> RuntimeConnectionStringAsync() => await (await ServerAsync()).RuntimeConnectionStringAsync();

    private static Task<EmbeddedPostgres> StartAsync() => StartEmptyAsync("reliability-postgres", EventStore.Schema, GlobalStore.Schema);

    /// <summary>
    /// Starts a cluster of the run under .data/<paramref name="folder"/> with <paramref name="schemas"/> dropped: every
    /// run starts from an empty database, and the service creates its schema when it starts.
    /// </summary>
    public static async Task<EmbeddedPostgres> StartEmptyAsync(string folder, params string[] schemas)
    {
        var embedded = await PrivatePostgres.StartForRunAsync(folder);
        await using var connection = new NpgsqlConnection(embedded.ConnectionString());
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand(string.Concat(schemas.Select(schema => $"DROP SCHEMA IF EXISTS {schema} CASCADE;")), connection);
        await drop.ExecuteNonQueryAsync();
        return embedded;
    }
}

/// <summary>
/// A second private PostgreSQL for the test that gives the global store a database of its own (docs/scaling.md),
/// under .data/reliability-global-postgres, started on first use and emptied then; that test stops it.
/// </summary>
public static class ReliabilityGlobalDatabase
{
    private static readonly Lazy<Task<EmbeddedPostgres>> Server = new(() => ReliabilityDatabase.StartEmptyAsync("reliability-global-postgres", GlobalStore.Schema));

    public static Task<EmbeddedPostgres> ServerAsync() => Server.Value;
}
