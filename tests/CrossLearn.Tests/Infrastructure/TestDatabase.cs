using CrossLearn.Hosting;

namespace CrossLearn.Tests.Infrastructure;

/// <summary>
/// One PostgreSQL per test run: <c>CROSSLEARN_TEST_CONNECTION</c> when set, otherwise a private cluster
/// (the same kind the service starts for development) under .data/test-postgres, stopped when the run ends.
/// </summary>
public static class TestDatabase
{
    private static readonly Lazy<Task<string>> Connection = new(StartAsync);

    public static Task<string> ConnectionStringAsync() => Connection.Value;

    private static async Task<string> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable("CROSSLEARN_TEST_CONNECTION");
        if (!string.IsNullOrWhiteSpace(configured)) return configured;

        var root = RepositoryRoot();
        var embedded = await EmbeddedPostgres.StartAsync(Path.Combine(root, ".data", "test-postgres"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => embedded.StopAsync().GetAwaiter().GetResult();
        return embedded.ConnectionString();
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CrossLearn.sln"))) return dir.FullName;
        throw new InvalidOperationException("Could not find the repository root (CrossLearn.sln).");
    }
}
