using Npgsql;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// Where the service's PostgreSQL is, and as whom it connects. Two roles (docs/security.md, "Database roles"):
/// <list type="bullet">
/// <item><c>ConnectionStrings:Marten</c>: the role the service runs as. It owns nothing: it may read and write
/// rows, never create, alter or drop anything.</item>
/// <item><c>ConnectionStrings:MartenOwner</c> (optional): the role that owns the schema. The service uses it once at
/// start to create or migrate the tables and to grant the runtime role what it needs, then lets it go.</item>
/// </list>
/// Without MartenOwner the runtime role must own the schema itself (the older, single-role setup). The private
/// development cluster always uses both: its superuser as owner and a login role that owns nothing (<see cref="PrivateDatabase"/>).
/// <para>The global store (what spans users, docs/scaling.md) has its own pair, <c>ConnectionStrings:Global</c> and
/// <c>ConnectionStrings:GlobalOwner</c>; without them it lives in the same database, in a schema of its own.</para>
/// </summary>
public sealed record DatabaseConnections(string Runtime, string? Owner, IPrivateDatabase? Embedded, string? GlobalRuntime = null, string? GlobalOwner = null)
{
    public const string RuntimeName = "Marten";
    public const string OwnerName = "MartenOwner";
    public const string GlobalRuntimeName = "Global";
    public const string GlobalOwnerName = "GlobalOwner";

    /// <summary>The global store's runtime connection: its own, or the shard's when it shares the database.</summary>
    public string Global => GlobalRuntime ?? Runtime;

    /// <summary>The connection that creates and migrates the global store's schema.</summary>
    public string GlobalSchemaOwner => GlobalRuntime == null ? SchemaOwner : GlobalOwner ?? GlobalRuntime;

    /// <summary>True when the global store's runtime role is not its schema's owner.</summary>
    public bool GlobalSeparateOwner => GlobalRuntime == null ? SeparateOwner
        : GlobalOwner != null && new NpgsqlConnectionStringBuilder(GlobalOwner).Username != new NpgsqlConnectionStringBuilder(GlobalRuntime).Username;

    public string GlobalRuntimeRole => new NpgsqlConnectionStringBuilder(Global).Username
                                       ?? throw new InvalidOperationException($"ConnectionStrings:{GlobalRuntimeName} names no Username.");

    /// <summary>The connection that creates and migrates the schema: the owner's, or the runtime role's when none is set.</summary>
    public string SchemaOwner => Owner ?? Runtime;

    /// <summary>True when the runtime role is not the schema owner.</summary>
    public bool SeparateOwner => Owner != null && RuntimeRole != new NpgsqlConnectionStringBuilder(Owner).Username;

    public string RuntimeRole => new NpgsqlConnectionStringBuilder(Runtime).Username
                                 ?? throw new InvalidOperationException($"ConnectionStrings:{RuntimeName} names no Username.");
}

public static class Database
{
    /// <summary>
    /// The configured connection strings, or, when there are none, a private cluster under <c>.data/postgres</c> in
    /// the repository, started now (and stopped with the host), with its runtime role created.
    /// </summary>
    public static async Task<DatabaseConnections> ResolveAsync(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString(DatabaseConnections.RuntimeName);
        var owner = configuration.GetConnectionString(DatabaseConnections.OwnerName);
        var global = configuration.GetConnectionString(DatabaseConnections.GlobalRuntimeName);
        var globalOwner = configuration.GetConnectionString(DatabaseConnections.GlobalOwnerName);
        if (!string.IsNullOrWhiteSpace(configured))
            return new DatabaseConnections(configured, string.IsNullOrWhiteSpace(owner) ? null : owner, null,
                string.IsNullOrWhiteSpace(global) ? null : global, string.IsNullOrWhiteSpace(globalOwner) ? null : globalOwner);

        var dataDirectory = configuration["EmbeddedPostgres:DataDirectory"]
                            ?? Path.Combine(RepositoryRoot() ?? Directory.GetCurrentDirectory(), ".data", "postgres");
        var (embedded, runtime, schemaOwner) = await PrivateDatabase.StartAsync(dataDirectory)
                                               ?? throw new InvalidOperationException(PrivateDatabase.Missing);
        return new DatabaseConnections(runtime, schemaOwner, embedded);
    }

    /// <summary>
    /// Tables of our own that Marten does not manage, created by the schema owner in every shard database before
    /// anything (the daemon included) can write to them. The runtime role gets its rights on them with the rest
    /// (<see cref="SchemaSetup"/>).
    /// </summary>
    /// <param name="tablesSql">Each module's own tables (CREATE ... IF NOT EXISTS).</param>
    public static async Task PrepareAsync(DatabaseConnections connections, IConfiguration configuration, IEnumerable<string> tablesSql, CancellationToken ct = default)
    {
        var shards = Sharding.ShardMap.Load(configuration, connections);
        var sql = $"SELECT pg_advisory_lock({WriteLocks.Space}, {WriteLocks.SchemaSetupKey}); CREATE SCHEMA IF NOT EXISTS {EventStore.Schema}; " +
                  $"{string.Join("\n", tablesSql)} SELECT pg_advisory_unlock({WriteLocks.Space}, {WriteLocks.SchemaSetupKey});";
        foreach (var shard in shards.Databases)
        {
            await using var connection = new NpgsqlConnection(SchemaSetup.OwnerConnectionOf(shard, shards, connections));
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private static string? RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "CrossLearn.sln"))) return dir.FullName;
        }

        return null;
    }
}
