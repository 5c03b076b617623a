using CrossLearn.DevDatabase;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;

namespace CrossLearn.Testing;

/// <summary>A private PostgreSQL cluster for one run, under the repository's .data folder, stopped when the run's process exits.</summary>
public static class PrivatePostgres
{
    public static async Task<EmbeddedPostgres> StartForRunAsync(string folderName)
    {
        var embedded = await EmbeddedPostgres.StartAsync(Path.Combine(Repository.Root(), ".data", folderName));
        AppDomain.CurrentDomain.ProcessExit += (_, _) => embedded.StopAsync().GetAwaiter().GetResult();
        return embedded;
    }
}
