using CrossLearn.DevDatabase;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Npgsql;

namespace CrossLearn.Testing;

/// <summary>
/// One PostgreSQL per test run: <c>CROSSLEARN_TEST_CONNECTION</c> (a superuser on a server that trusts the test
/// machine) when set, otherwise a private cluster (the same kind the service starts for development) under
/// .data/test-postgres, stopped when the run ends. The service under test runs as a role that owns nothing, like in
/// production; the superuser owns the schema.
/// </summary>
public static class TestDatabase
{
    private static readonly Lazy<Task<string>> Connection = new(async () =>
    {
        var owner = await StartAsync();
        await ForgetPreviousRunsAsync(owner);
        return owner;
    });
    private static readonly Lazy<Task<string>> Runtime = new(async () =>
    {
        var owner = await Connection.Value;
        await EmbeddedPostgres.CreateLoginRoleIfMissingAsync(owner, EmbeddedPostgres.RuntimeRole);
        return new Npgsql.NpgsqlConnectionStringBuilder(owner) { Username = EmbeddedPostgres.RuntimeRole }.ConnectionString;
    });

    /// <summary>The superuser's connection: the schema owner, and the tests' own view of every table.</summary>
    public static Task<string> ConnectionStringAsync() => Connection.Value;

    /// <summary>The connection the service runs as.</summary>
    public static Task<string> RuntimeConnectionStringAsync() => Runtime.Value;

    private static async Task<string> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable("CROSSLEARN_TEST_CONNECTION");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;

        return (await PrivatePostgres.StartForRunAsync("test-postgres")).ConnectionString();
    }

    /// <summary>
    /// Each run starts from an empty event store, before any service starts: within a run the daemon keeps running
    /// and tests only empty the tables (IntegrationTest), so this is the one moment the sequence and the projections'
    /// progress may go back to zero.
    /// </summary>
    private static async Task ForgetPreviousRunsAsync(string owner)
    {
        await using var connection = new NpgsqlConnection(owner);
        await connection.OpenAsync();
        var schema = EventStore.Schema;
        await using var command = new NpgsqlCommand($"""
            DO $$ BEGIN
              IF to_regclass('{schema}.mt_event_progression') IS NOT NULL THEN
                TRUNCATE {schema}.mt_events, {schema}.mt_streams, {schema}.mt_event_progression CASCADE;
                ALTER SEQUENCE {schema}.mt_events_sequence RESTART WITH 1;
              END IF;
            END $$;
            """, connection);
        await command.ExecuteNonQueryAsync();
    }
}
