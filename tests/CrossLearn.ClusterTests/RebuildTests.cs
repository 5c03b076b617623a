using System.Net;
using System.Text.Json;
using CrossLearn.ClusterTests.Infrastructure;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Xunit.Abstractions;

namespace CrossLearn.ClusterTests;

/// <summary>
/// An admin rebuilds one shard's projections (<c>?database=</c>) through a node that runs none of that shard's
/// projection agents: the shard's patterns and the global figures afterwards equal those before. A rebuild of every
/// shard works through either node too, though neither runs all the agents.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RebuildTests(ShardedCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task Rebuilding_one_shard_leaves_the_global_figures_as_they_were()
    {
        var seed = Environment.TickCount;
        var users = ShardedCluster.UsersOfBoth($"rebuild{seed}", 15);
        var load = new ShardedLoad(cluster, users, seed);
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3))) await load.RunAsync(stop.Token);
        Assert.True(load.Unexpected.IsEmpty, $"unexpected: {string.Join("; ", load.Unexpected.Take(10))}");

        var (west, shards, global) = (cluster.Owner(ShardedCluster.West), new[] { cluster.Owner(ShardedCluster.East), cluster.Owner(ShardedCluster.West) }, cluster.Owner(ShardedCluster.GlobalName));
        await SettleAsync(shards, global);
        var globalBefore = await ShardReads.GlobalPatternsAsync(global);
        var westBefore = await ShardReads.SummedShardPatternsAsync([west]);
        var westMemories = await ShardReads.ScalarAsync(west, $"SELECT count(*) FROM {StoreTables.Of<Features.Memories.Memory>()}");

        // Through the node that does not run west's pattern projection.
        var assignments = await cluster.AssignmentsAsync();
        var ids = await cluster.NodeIdsAsync();
        var westPatterns = assignments.Single(a => a.Key.StartsWith("event-subscriptions://") && a.Key.Contains("crosslearn_west/patterns")).Value;
        var asked = ids.First(n => n.Value != westPatterns).Key;
        var admin = cluster.Token("cluster-admin", Roles.Admin);
        var rebuilt = await RoutingTests.SendAsync(asked, HttpMethod.Post, "/api/admin/projections/rebuild?database=west", admin, HttpStatusCode.OK);
        var steps = rebuilt.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()!).ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps, step => Assert.StartsWith("west: ", step));
        Assert.True(rebuilt.GetProperty("streams").GetInt32() >= users.Count / 2, $"rebuilt {rebuilt}");

        await SettleAsync(shards, global);
        Assert.Equal(westMemories, await ShardReads.ScalarAsync(west, $"SELECT count(*) FROM {StoreTables.Of<Features.Memories.Memory>()}"));
        Assert.Equal(westBefore.Order(), (await ShardReads.SummedShardPatternsAsync([west])).Order());
        Assert.Equal(globalBefore.Order(), (await ShardReads.GlobalPatternsAsync(global)).Order());
        output.WriteLine($"rebuilt west through the node not running its patterns: {rebuilt.GetProperty("seconds").GetDouble():0.00} s over " +
                         $"{rebuilt.GetProperty("streams").GetInt32()} streams, {rebuilt.GetProperty("events").GetInt32()} events; " +
                         $"{westBefore.Count} west patterns and {globalBefore.Count} global figures unchanged");

        // Every shard at once, through each node.
        foreach (var node in cluster.Nodes)
        {
            var all = await RoutingTests.SendAsync(node, HttpMethod.Post, "/api/admin/projections/rebuild", admin, HttpStatusCode.OK);
            var names = all.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()!).ToList();
            Assert.Contains(names, n => n.StartsWith("east: "));
            Assert.Contains(names, n => n.StartsWith("west: "));
        }

        await SettleAsync(shards, global);
        Assert.Equal(globalBefore.Order(), (await ShardReads.GlobalPatternsAsync(global)).Order());
    }

    [Fact]
    public async Task Rebuilding_one_shard_while_both_take_turns_leaves_its_patterns_the_seeds_query_over_its_memories()
    {
        var seed = Environment.TickCount;
        var users = ShardedCluster.UsersOfBoth($"rebuildload{seed}", 15);
        var load = new ShardedLoad(cluster, users, seed);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        await Task.Delay(ShardedLoad.Warmup);

        // West rebuilt twice under load, through each node: its daemon's batches and the rebuild's refold meet in west.
        var admin = cluster.Token("cluster-admin", Roles.Admin);
        foreach (var node in cluster.Nodes)
            await RoutingTests.SendAsync(node, HttpMethod.Post, "/api/admin/projections/rebuild?database=west", admin, HttpStatusCode.OK);
        stop.Cancel();
        await running;
        Assert.True(load.Unexpected.IsEmpty, $"unexpected: {string.Join("; ", load.Unexpected.Take(10))}");

        var (west, shards, global) = (cluster.Owner(ShardedCluster.West), new[] { cluster.Owner(ShardedCluster.East), cluster.Owner(ShardedCluster.West) }, cluster.Owner(ShardedCluster.GlobalName));
        foreach (var shard in shards) await ShardReads.WaitForProjectionsAsync(shard, TimeSpan.FromSeconds(60));
        // West's own counters are the seed's GROUP BY over west's memories (patterns of 2+ holders), exactly; then the
        // global figures are the shards' sums.
        var expected = (await ShardReads.ReferenceOverTheUnionAsync([west])).Select(p => $"{p.Type}|{p.Key}|{p.Users}|{p.Rated}|{p.Successful}").ToHashSet();
        var counted = (await ShardReads.SummedShardPatternsAsync([west])).Where(p => int.Parse(p.Split('|')[2]) >= 2).ToHashSet();
        Assert.NotEmpty(expected);
        Assert.True(expected.SetEquals(counted), $"only in the reference [{string.Join("; ", expected.Except(counted).Take(5))}], only counted [{string.Join("; ", counted.Except(expected).Take(5))}]");
        await ShardReads.GlobalFiguresEqualTheShardsAsync(global, shards, TimeSpan.FromSeconds(60));
        var (turns, ratings) = await load.NothingLostOrDoubledAsync();
        output.WriteLine($"west rebuilt twice under load: {expected.Count} west patterns equal the reference; {turns} turns and {ratings} ratings checked");
    }

    [Fact]
    public async Task A_rebuild_of_a_database_the_pool_does_not_have_is_refused()
    {
        var refused = await RoutingTests.SendAsync(cluster.Nodes[0], HttpMethod.Post, "/api/admin/projections/rebuild?database=north",
            cluster.Token("cluster-admin", Roles.Admin), HttpStatusCode.BadRequest);
        Assert.Equal("Unknown database", refused.GetProperty("title").GetString());
        Assert.Contains("east, west", refused.GetProperty("detail").GetString());
        // Only admins rebuild.
        await RoutingTests.SendAsync(cluster.Nodes[0], HttpMethod.Post, "/api/admin/projections/rebuild?database=west", cluster.Token("someone"), HttpStatusCode.Forbidden);
    }

    private static async Task SettleAsync(string[] shards, string global)
    {
        foreach (var shard in shards) await ShardReads.WaitForProjectionsAsync(shard, TimeSpan.FromSeconds(60));
        await ShardReads.GlobalFiguresEqualTheShardsAsync(global, shards, TimeSpan.FromSeconds(60));
    }
}
