using CrossLearn.ClusterTests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace CrossLearn.ClusterTests;

/// <summary>
/// One database of the deployment stops under load from chat-app clients on both nodes. A shard's outage is a quick
/// 503 (problem+json) for that shard's users only; the global store's is no 503 at all. Afterwards every acknowledged
/// turn and rating is stored exactly once in its user's shard, and the global figures equal the shards' sums exactly.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class OutageTests(ShardedCluster cluster, ITestOutputHelper output)
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_shards_outage_is_a_503_for_its_users_only_and_everything_catches_up_exactly_after()
    {
        var (load, during) = await RunThroughAnOutageAsync(ShardedCluster.West, "westdown");

        Assert.True(load.Unexpected.IsEmpty, $"unexpected: {string.Join("; ", load.Unexpected.Take(10))}");
        Assert.Equal(0, load.Unavailable.GetValueOrDefault(ShardedCluster.East));
        Assert.True(load.Unavailable.GetValueOrDefault(ShardedCluster.West) > 0, "no west user was told the shard is unavailable");
        // East keeps its pace (at least half its requests a second of before the outage), and west's users are served again after.
        var (eastBefore, eastDuring) = (load.Before[ShardedCluster.East] / ShardedLoad.Warmup.TotalSeconds, during.GetValueOrDefault(ShardedCluster.East) / Outage.TotalSeconds);
        Assert.True(eastDuring >= eastBefore / 2, $"east acknowledged {eastDuring:0} requests a second while west was down, {eastBefore:0} before");
        Assert.True(load.After[ShardedCluster.West] > 0, "no west request was acknowledged after the outage");
        Assert.True(load.Slowest503Milliseconds < 10_000, $"a 503 took {load.Slowest503Milliseconds} ms");

        var caughtUp = await CaughtUpAsync(load);
        output.WriteLine($"west down {Outage.TotalSeconds} s: east requests acknowledged meanwhile {during.GetValueOrDefault(ShardedCluster.East)} " +
                         $"({eastDuring:0}/s, {eastBefore:0}/s before), west {during.GetValueOrDefault(ShardedCluster.West)}, west after it " +
                         $"{load.After[ShardedCluster.West]}; 503s east {load.Unavailable.GetValueOrDefault(ShardedCluster.East)}, " +
                         $"west {load.Unavailable.GetValueOrDefault(ShardedCluster.West)} (slowest {load.Slowest503Milliseconds} ms); {caughtUp}");
    }

    [Fact]
    public async Task Ingest_goes_on_in_both_shards_while_the_global_database_is_down_and_the_global_counts_catch_up_exactly()
    {
        var (load, during) = await RunThroughAnOutageAsync(ShardedCluster.GlobalName, "globaldown");

        Assert.True(load.Unexpected.IsEmpty, $"unexpected: {string.Join("; ", load.Unexpected.Take(10))}");
        Assert.Empty(load.Unavailable);
        Assert.True(during.GetValueOrDefault(ShardedCluster.East) > 0 && during.GetValueOrDefault(ShardedCluster.West) > 0,
            $"acknowledged while the global database was down: east {during.GetValueOrDefault(ShardedCluster.East)}, west {during.GetValueOrDefault(ShardedCluster.West)}");

        var caughtUp = await CaughtUpAsync(load);
        output.WriteLine($"global down {Outage.TotalSeconds} s: requests acknowledged meanwhile east {during.GetValueOrDefault(ShardedCluster.East)}, " +
                         $"west {during.GetValueOrDefault(ShardedCluster.West)}; {caughtUp}");
    }

    /// <summary>Load on both nodes for users of both shards; <paramref name="server"/> stops for <see cref="Outage"/> in the middle.
    /// Returns the load and what each shard acknowledged while the server was down.</summary>
    private async Task<(ShardedLoad Load, Dictionary<string, int> During)> RunThroughAnOutageAsync(string server, string prefix)
    {
        var seed = Environment.TickCount;
        var users = ShardedCluster.UsersOfBoth($"{prefix}{seed}", 30);
        var load = new ShardedLoad(cluster, users, seed);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        await Task.Delay(ShardedLoad.Warmup);

        var before = new Dictionary<string, int>(load.Acknowledged);
        await cluster.Server(server).RestartAsync(Outage);
        var ended = new Dictionary<string, int>(load.Acknowledged);
        NpgsqlConnection.ClearAllPools();
        await Task.Delay(3000);
        stop.Cancel();
        await running;
        foreach (var shard in new[] { ShardedCluster.East, ShardedCluster.West })
        {
            load.Before[shard] = before.GetValueOrDefault(shard);
            load.After[shard] = load.Acknowledged.GetValueOrDefault(shard) - ended.GetValueOrDefault(shard);
        }

        return (load, ended.ToDictionary(a => a.Key, a => a.Value - before.GetValueOrDefault(a.Key)));
    }

    /// <summary>Nothing acknowledged lost or doubled, and the global figures equal the shards' sums; says how long that took.</summary>
    private async Task<string> CaughtUpAsync(ShardedLoad load)
    {
        var shards = new[] { cluster.Owner(ShardedCluster.East), cluster.Owner(ShardedCluster.West) };
        foreach (var shard in shards) await ShardReads.WaitForProjectionsAsync(shard, TimeSpan.FromSeconds(60));
        var equal = await ShardReads.GlobalFiguresEqualTheShardsAsync(cluster.Owner(ShardedCluster.GlobalName), shards, TimeSpan.FromSeconds(60));
        var (turns, ratings) = await load.NothingLostOrDoubledAsync();
        return $"global figures equal the shards' sums {equal.TotalSeconds:0.0} s after the projections caught up; " +
               $"{turns} turns and {ratings} ratings checked, none lost or doubled";
    }
}
