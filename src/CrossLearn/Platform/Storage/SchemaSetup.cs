using CrossLearn.Platform.Http;
using CrossLearn.Platform.Sharding;
using Marten;
using Npgsql;
using Weasel.Core;
using Weasel.Core.Migrations;
using Wolverine.Persistence.Durability;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// Creates or migrates every table (Marten's, Wolverine's, ours) as the schema owner, sets up row-level security,
/// and grants the runtime role exactly what serving requests needs: rows, never structure. Runs before any other
/// hosted service starts (the daemon and Wolverine's agents need the tables), once per start, under a lock so
/// that several nodes starting together migrate once.
/// </summary>
/// <remarks>
/// Marten and Wolverine would migrate on their own, but through the runtime connection; here their schema objects
/// are compared and applied on the owner's connection instead, and both are told not to create anything at run time
/// (<see cref="EventStore"/>).
/// </remarks>
public sealed class SchemaSetup(
    DatabaseConnections connections, ShardMap shards, IDocumentStore store, IGlobalStore global, IMessageStore messages, IEnumerable<UserOwnedDocument> userOwnedDocuments,
    WriteModelBackfill writeModels, ILogger<SchemaSetup> logger)
    : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken ct)
    {
        // Each shard database as its own owner, under its own lock; then the global store; then the write models.
        var martenDatabases = (await store.Storage.AllDatabases()).ToDictionary(d => d.Identifier, StringComparer.Ordinal);
        foreach (var shard in shards.Databases)
        {
            await using var owner = new NpgsqlConnection(OwnerConnectionOf(shard, shards, connections));
            await owner.OpenAsync(ct);
            await UnderSchemaLockAsync(owner, async () =>
            {
                if (!martenDatabases.TryGetValue(shard.Name, out var database))
                    throw new InvalidOperationException($"Marten has no database named {shard.Name} (Sharding:Databases).");
                await MigrateAsync(database, owner, ct);
                await MigrateAsync(await MessageDatabaseOfAsync(shard), owner, ct);

                await UserScopedReads.ApplyAsync(owner, connections.RuntimeRole, userOwnedDocuments, ct);
                if (connections.SeparateOwner) await GrantRuntimeRightsAsync(owner, connections.RuntimeRole, EventStore.Schema, ct);
                else
                    logger.LogWarning(
                        "The service connects as the role that owns its schema ({Role}). Set ConnectionStrings:{Owner} to the owner's " +
                        "connection and ConnectionStrings:{Runtime} to a role that owns nothing (docs/security.md, Database roles).",
                        connections.RuntimeRole, DatabaseConnections.OwnerName, DatabaseConnections.RuntimeName);
            }, ct);
        }

        await MigrateGlobalStoreAsync(ct);
        // After the grants (the rebuild writes through the runtime connection), and under the first database's lock as
        // before, so that nodes starting together do not fill the write models side by side.
        await using var first = new NpgsqlConnection(connections.SchemaOwner);
        await first.OpenAsync(ct);
        await UnderSchemaLockAsync(first, () => writeModels.RunAsync(ct), ct);
    }

    /// <summary>
    /// Runs <paramref name="work"/> under the schema set-up's advisory lock of <paramref name="owner"/>'s session, and
    /// unlocks after it. After a failure the caller's closing of the connection lets the lock go: an unlock there could
    /// only fail again on the aborted transaction (25P02) and hide what went wrong (a GracefulShutdownTests restart).
    /// </summary>
    private static async Task UnderSchemaLockAsync(NpgsqlConnection owner, Func<Task> work, CancellationToken ct)
    {
        await ExecuteAsync(owner, $"SELECT pg_advisory_lock({WriteLocks.Space}, {WriteLocks.SchemaSetupKey})", ct);
        await work();
        await ExecuteAsync(owner, $"SELECT pg_advisory_unlock({WriteLocks.Space}, {WriteLocks.SchemaSetupKey})", CancellationToken.None);
    }

    /// <summary>The schema owner's connection to a shard database: the service's own owner connection for the first.</summary>
    public static string OwnerConnectionOf(ShardDatabase shard, ShardMap shards, DatabaseConnections connections) =>
        shard == shards.Databases[0] ? connections.SchemaOwner : shard.OwnerConnectionString ?? shard.ConnectionString;

    /// <summary>
    /// Wolverine's tables in a shard database: its main store (node registry, inbox, outbox) in the first, a tenant
    /// store per other database, for the outbox that commits with a session of that database.
    /// </summary>
    private async Task<IDatabase> MessageDatabaseOfAsync(ShardDatabase shard)
    {
        var found = messages switch
        {
            MultiTenantedMessageStore tenanted when shard == shards.Databases[0] => tenanted.Main,
            MultiTenantedMessageStore tenanted => await tenanted.Source.FindAsync(shards.BucketNamesOf(shard)[0]),
            _ => messages
        };
        return found as IDatabase
               ?? throw new InvalidOperationException($"Wolverine's message store of {shard.Name} ({found.GetType().Name}) is not a Weasel database; cannot migrate it as the owner.");
    }

    /// <summary>The global store's tables and grants, on its own database (under its own lock) or on the shard's.</summary>
    private async Task MigrateGlobalStoreAsync(CancellationToken ct)
    {
        await using var owner = new NpgsqlConnection(connections.GlobalSchemaOwner);
        await owner.OpenAsync(ct);
        await UnderSchemaLockAsync(owner, async () =>
        {
            await ExecuteAsync(owner, $"CREATE SCHEMA IF NOT EXISTS {GlobalStore.Schema}", ct);
            foreach (var database in await global.Storage.AllDatabases()) await MigrateAsync(database, owner, ct);
            if (connections.GlobalSeparateOwner) await GrantRuntimeRightsAsync(owner, connections.GlobalRuntimeRole, GlobalStore.Schema, ct);
        }, ct);
    }

    private async Task MigrateAsync(IDatabase database, NpgsqlConnection owner, CancellationToken ct)
    {
        var objects = database.AllObjects().ToArray();
        foreach (var postProcessing in objects.OfType<ISchemaObjectWithPostProcessing>().ToArray()) postProcessing.PostProcess(objects);

        var migration = await SchemaMigration.DetermineAsync(owner, database.Migrator, ct, objects);
        if (migration.Difference == SchemaPatchDifference.None) return;

        logger.LogInformation("Migrating {Database} as the schema owner ({Difference})", database.Identifier, migration.Difference);
        await database.Migrator.ApplyAllAsync(owner, migration, JasperFx.AutoCreate.CreateOrUpdate, new DefaultMigrationLogger(), ct);
    }

    /// <summary>
    /// Rows only: read, insert, update, delete (erasure deletes a user's events and documents; the daemon updates its
    /// progress rows), and truncate (a projection rebuild empties its read-model tables with TRUNCATE, which takes no
    /// more than DELETE already allows). Sequences are advanced by inserts; functions (Marten's upserts, our live-feed
    /// trigger) run with the caller's rights. Nothing here lets the role create, alter, drop or own an object.
    /// </summary>
    public static Task GrantRuntimeRightsAsync(NpgsqlConnection owner, string runtimeRole, string schema, CancellationToken ct)
    {
        var role = QuoteIdentifier(runtimeRole);
        return ExecuteAsync(owner, $"""
            GRANT USAGE ON SCHEMA {schema} TO {role};
            REVOKE CREATE ON SCHEMA {schema} FROM {role};
            GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {schema} TO {role};
            GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role};
            GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {schema} TO {role};
            """, ct);
    }

    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    public Task StartAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken ct) => Task.CompletedTask;
}
