using System.Diagnostics;
using CrossLearn.ClusterTests.Infrastructure;
using Xunit.Abstractions;

namespace CrossLearn.ClusterTests;

/// <summary>
/// A node that runs projections of the shards is killed (SIGKILL) under load: the surviving node takes its agents over
/// within seconds, projects every shard to the end, and nothing acknowledged is lost or doubled.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class NodeFailureTests(ShardedCluster cluster, ITestOutputHelper output)
{
    private const string Projections = "event-subscriptions://";

    [Fact]
    public async Task Killing_a_node_moves_its_shards_projections_to_the_other_and_nothing_acknowledged_is_lost()
    {
        var seed = Environment.TickCount;
        var users = ShardedCluster.UsersOfBoth($"nodekill{seed}", 20);
        var load = new ShardedLoad(cluster, users, seed);
        using var stop = new CancellationTokenSource();
        var running = load.RunAsync(stop.Token);
        await Task.Delay(ShardedLoad.Warmup);

        // The node running the most projection agents is the one killed.
        var (ids, assignments) = await SettledAssignmentsAsync();
        var victim = ids.Keys.OrderByDescending(node => assignments.Count(a => a.Key.StartsWith(Projections) && a.Value == ids[node])).First();
        var survivor = ids.Keys.Single(node => node != victim);
        var moved = assignments.Where(a => a.Value == ids[victim]).Select(a => a.Key).ToList();
        Assert.Contains(moved, agent => agent.StartsWith(Projections));

        load.Avoided[cluster.Nodes.ToList().IndexOf(victim)] = true;
        var ackedAtKill = load.Turns.Count;
        await victim.KillAsync();
        try
        {
            var watch = Stopwatch.StartNew();
            while (true)
            {
                var now = await cluster.AssignmentsAsync();
                if (moved.All(agent => now.GetValueOrDefault(agent) == ids[survivor])) break;
                if (watch.Elapsed > TimeSpan.FromSeconds(60))
                    throw new TimeoutException($"After 60 s the survivor runs {moved.Count(agent => now.GetValueOrDefault(agent) == ids[survivor])} of the {moved.Count} agents the killed node ran");
                await Task.Delay(100);
            }

            var tookOver = watch.Elapsed;
            await Task.Delay(2000);
            stop.Cancel();
            await running;

            Assert.True(load.Unexpected.IsEmpty, $"unexpected: {string.Join("; ", load.Unexpected.Take(10))}");
            Assert.True(load.Turns.Count > ackedAtKill, "no turn was acknowledged after the kill");
            // Only the survivor runs now: every shard's projections reach the end on it.
            var shards = new[] { cluster.Owner(ShardedCluster.East), cluster.Owner(ShardedCluster.West) };
            foreach (var shard in shards) await ShardReads.WaitForProjectionsAsync(shard, TimeSpan.FromSeconds(60));
            await ShardReads.GlobalFiguresEqualTheShardsAsync(cluster.Owner(ShardedCluster.GlobalName), shards, TimeSpan.FromSeconds(60));
            var (turns, ratings) = await load.NothingLostOrDoubledAsync();
            output.WriteLine($"killed the node running {moved.Count} agents ({string.Join(", ", moved.Select(Short))}); the survivor ran them all " +
                             $"{tookOver.TotalSeconds:0.0} s later; {load.Turns.Count - ackedAtKill} turns acknowledged after the kill; " +
                             $"{turns} turns and {ratings} ratings checked, none lost or doubled");
        }
        finally
        {
            await stop.CancelAsync();
            await cluster.StartAgainAsync(victim);
        }
    }

    /// <summary>
    /// The nodes' ids and the agents' places once both nodes run agents (the leader spreads them a few seconds after the
    /// second node starts, or after the last test's restart).
    /// </summary>
    private async Task<(Dictionary<ServiceProcess, Guid> Ids, Dictionary<string, Guid> Assignments)> SettledAssignmentsAsync()
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var ids = await cluster.NodeIdsAsync();
            var assignments = await cluster.AssignmentsAsync();
            if (ids.Values.All(id => assignments.ContainsValue(id)) && assignments.Keys.Count(a => a.StartsWith(Projections)) == 4)
                return (ids, assignments);
            if (watch.Elapsed > TimeSpan.FromSeconds(60))
                throw new TimeoutException($"After 60 s the agents are not spread over both nodes: {string.Join("; ", assignments.Select(a => $"{a.Key} {a.Value}"))}");
            await Task.Delay(200);
        }
    }

    private static string Short(string agent) => agent.StartsWith(Projections) ? agent[(agent.IndexOf("main/", StringComparison.Ordinal) + 5)..] : agent.TrimEnd('/', ':');
}
