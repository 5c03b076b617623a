using CrossLearn.Features.Clusters;
using CrossLearn.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CrossLearn.Tests.Clusters;

public static class ClusterRuns
{
    /// <summary>
    /// Starts a clustering as <paramref name="admin"/> over HTTP and waits for its end. With <paramref name="maxClusters"/>,
    /// the shared host's parameters for this run only: users whose taught sets are copies would otherwise be split by
    /// what little tells them apart.
    /// </summary>
    public static async Task<ClusteringRunDto> ClusterAsync(this AppFixture app, string admin, int? maxClusters = null)
    {
        var parameters = app.Host.Services.GetRequiredService<ClusteringParameters>();
        var saved = parameters.MaxClusters;
        if (maxClusters is { } most) parameters.MaxClusters = most;
        try
        {
            var started = (await app.PostJsonAsync("/api/admin/clusters/runs", new { }, admin, 202)).ReadAsJson<ClusteringRunDto>()!;
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                var run = await app.GetJsonAsync<ClusteringRunDto>("/api/admin/clusters/runs/latest", admin);
                if (run.RunId == started.RunId && run.Status == "completed") return run;
                Assert.NotEqual("failed", run.Status);
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"clustering {started.RunId} still {run.Status}");
                await Task.Delay(50);
            }
        }
        finally
        {
            parameters.MaxClusters = saved;
        }
    }
}
