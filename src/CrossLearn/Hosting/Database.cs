namespace CrossLearn.Hosting;

/// <summary>Where the service's PostgreSQL is: a configured server, or a private one started for development.</summary>
public static class Database
{
    public const string ConnectionName = "Marten";

    /// <summary>
    /// The configured connection string, or, when there is none, one to a private cluster under
    /// <c>.data/postgres</c> in the repository, started now and stopped with the host.
    /// </summary>
    public static async Task<(string ConnectionString, EmbeddedPostgres? Embedded)> ResolveAsync(IConfiguration configuration)
    {
        var configured = configuration.GetConnectionString(ConnectionName);
        if (!string.IsNullOrWhiteSpace(configured)) return (configured, null);

        var dataDirectory = configuration["EmbeddedPostgres:DataDirectory"]
                            ?? Path.Combine(RepositoryRoot() ?? Directory.GetCurrentDirectory(), ".data", "postgres");
        var embedded = await EmbeddedPostgres.StartAsync(dataDirectory);
        return (embedded.ConnectionString(), embedded);
    }

    /// <summary>
    /// Tables of our own that Marten does not manage, created before anything (the daemon included) can write to them.
    /// </summary>
    public static async Task PrepareAsync(string connectionString, CancellationToken ct = default)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var command = new Npgsql.NpgsqlCommand(
            $"SELECT pg_advisory_lock({WriteLocks.Space}, {WriteLocks.SchemaSetupKey}); CREATE SCHEMA IF NOT EXISTS {EventStore.Schema}; " +
            $"{Features.Live.LiveFeed.CreateSql} SELECT pg_advisory_unlock({WriteLocks.Space}, {WriteLocks.SchemaSetupKey});",
            connection);
        await command.ExecuteNonQueryAsync(ct);
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
