#if DEV_DATABASE
using CrossLearn.DevDatabase;
#endif

namespace CrossLearn.Platform.Storage;

/// <summary>The private PostgreSQL a development run started for itself (stopped with the host).</summary>
public interface IPrivateDatabase
{
    int Port { get; }
    Task StopAsync();
}

/// <summary>
/// Starts the private development PostgreSQL (tools/CrossLearn.DevDatabase), which only Debug builds contain: a Release
/// build, the published service and its image have no initdb/pg_ctl code and need a configured connection string.
/// </summary>
public static class PrivateDatabase
{
    public const string Missing =
        "No ConnectionStrings__Marten is configured, and this build has no private development PostgreSQL (only Debug " +
        "builds do: dotnet run --project src/CrossLearn). Set ConnectionStrings__Marten (and ConnectionStrings__MartenOwner).";

    /// <summary>The started database with its runtime and owner connection strings, or null in a build without one.</summary>
    public static async Task<(IPrivateDatabase Database, string Runtime, string Owner)?> StartAsync(string dataDirectory)
    {
#if DEV_DATABASE
        var embedded = await EmbeddedPostgres.StartAsync(dataDirectory);
        return (new Started(embedded), await embedded.RuntimeConnectionStringAsync(), embedded.ConnectionString());
#else
        await Task.CompletedTask;
        return null;
#endif
    }

#if DEV_DATABASE
    private sealed class Started(EmbeddedPostgres embedded) : IPrivateDatabase
    {
        public int Port => embedded.Port;
        public Task StopAsync() => embedded.StopAsync();
    }
#endif
}
