using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CrossLearn.ClusterTests.Infrastructure;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Npgsql;

namespace CrossLearn.ClusterTests;

/// <summary>
/// Two nodes over two shard databases and a global store, each on a PostgreSQL of its own: a user's data lies in their
/// shard only and every per-user API finds it through either node; the global figures and knowledge are the seed's
/// query over the union of both shards' memories.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class RoutingTests(ShardedCluster cluster, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly string[] Topics = ["tea", "coffee", "dark mode", "vim", "python", "tabs", "jazz"];

    [Fact]
    public async Task A_users_turns_land_in_their_shard_and_every_per_user_API_answers_through_either_node()
    {
        var users = ShardedCluster.UsersOfBoth("route", 6);
        var service = cluster.Token("chat-app", Roles.Service);
        for (var i = 0; i < users.Count; i++)
        {
            var (writer, reader) = (cluster.Nodes[i % 2], cluster.Nodes[(i + 1) % 2]);
            var turnId = Guid.NewGuid();
            await SendAsync(writer, HttpMethod.Post, "/api/turns", cluster.Token(users[i]), HttpStatusCode.Created,
                new { userMessage = "I prefer jazz.", aiResponse = "Noted.", turnId });
            // The chat app's service rates through the other node: it finds the turn's owner in their shard.
            await SendAsync(reader, HttpMethod.Post, $"/api/turns/{turnId}/feedback", service, HttpStatusCode.NoContent, new { success = true });
        }

        foreach (var (user, i) in users.Select((u, i) => (u, i)))
        {
            var shard = ShardedCluster.ShardOf(user);
            var other = shard == ShardedCluster.East ? ShardedCluster.West : ShardedCluster.East;
            // The turn, what was learned from it and its rating.
            Assert.True(await ShardReads.ScalarAsync(cluster.Owner(shard), $"SELECT count(*) FROM {StoreTables.Events} WHERE stream_id = $1", user) >= 2);
            Assert.Equal(0, await ShardReads.ScalarAsync(cluster.Owner(other), $"SELECT count(*) FROM {StoreTables.Events} WHERE stream_id = $1 OR strpos(data::text, $2) > 0", user, $"\"{user}\""));

            foreach (var node in cluster.Nodes)
            {
                var token = cluster.Token(user);
                var memories = await SendAsync(node, HttpMethod.Get, "/api/me/memories", token, HttpStatusCode.OK);
                Assert.Contains(memories.EnumerateArray(), m => m.GetProperty("key").GetString() == "jazz");
                var conversations = await SendAsync(node, HttpMethod.Get, "/api/me/conversations", token, HttpStatusCode.OK);
                Assert.Equal(1, conversations.GetArrayLength());
                var context = await SendAsync(node, HttpMethod.Get, "/api/me/context", token, HttpStatusCode.OK);
                Assert.Contains(context.GetProperty("memories").EnumerateArray(), m => m.GetProperty("key").GetString() == "jazz");
                var analytics = await SendAsync(node, HttpMethod.Get, "/api/me/analytics", token, HttpStatusCode.OK);
                Assert.Equal((1, 1.0), (analytics.GetProperty("interactionCount").GetInt32(), analytics.GetProperty("successRate").GetDouble()));
                // An admin reads the user through either node too.
                var asAdmin = await SendAsync(node, HttpMethod.Get, $"/api/admin/users/{user}/memories", cluster.Token("cluster-admin", Roles.Admin), HttpStatusCode.OK);
                Assert.Equal(memories.GetArrayLength(), asAdmin.GetArrayLength());
            }
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(17)]
    public async Task The_global_figures_and_knowledge_are_the_seeds_query_over_the_union_of_the_shards(int seed)
    {
        var users = Enumerable.Range(0, 40).Select(i => $"union{seed}-{i}").ToList();
        Assert.Contains(users, u => ShardedCluster.ShardOf(u) == ShardedCluster.East);
        Assert.Contains(users, u => ShardedCluster.ShardOf(u) == ShardedCluster.West);
        // A topic of this seed's own (so the theory's runs do not meet), and steps through both nodes.
        string[] topics = [.. Topics.Select(t => $"{t} {Letters(seed)}")];
        // And knowledge no shard could promote alone: three holders in each, four successful ratings each.
        var sailing = $"sailing {Letters(seed)}";
        var sailors = ShardedCluster.UsersOfBoth($"sailor{seed}", 3);
        foreach (var (sailor, i) in sailors.Select((u, i) => (u, i)))
        {
            var node = cluster.Nodes[i % 2];
            await SendAsync(node, HttpMethod.Post, "/api/turns", cluster.Token(sailor), HttpStatusCode.Created, new { userMessage = $"I prefer {sailing}.", aiResponse = "Noted." });
            for (var rating = 0; rating < 4; rating++)
            {
                var turnId = Guid.NewGuid();
                await SendAsync(node, HttpMethod.Post, "/api/turns", cluster.Token(sailor), HttpStatusCode.Created, new { userMessage = "Thanks.", aiResponse = "Welcome.", turnId });
                await SendAsync(node, HttpMethod.Post, $"/api/turns/{turnId}/feedback", cluster.Token(sailor), HttpStatusCode.NoContent, new { success = true });
            }
        }

        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (user, _) =>
        {
            var steps = new Random(seed * 1000 + users.IndexOf(user));
            var token = cluster.Token(user);
            for (var step = steps.Next(2, 8); step > 0; step--)
            {
                var node = cluster.Nodes[steps.Next(2)];
                var topic = topics[steps.Next(topics.Length)];
                switch (steps.Next(8))
                {
                    case 0:
                        await SendAsync(node, HttpMethod.Delete, $"/api/me/memories/preference/{Uri.EscapeDataString(topic)}", token, null);
                        break;
                    case 1 or 2 or 3:
                        var turnId = Guid.NewGuid();
                        await SendAsync(node, HttpMethod.Post, "/api/turns", token, HttpStatusCode.Created, new { userMessage = "Thanks.", aiResponse = "Welcome.", turnId });
                        await SendAsync(node, HttpMethod.Post, $"/api/turns/{turnId}/feedback", token, HttpStatusCode.NoContent, new { success = steps.Next(10) > 0 });
                        break;
                    default:
                        var said = new[] { "I prefer {0}.", "I love {0}!", "I hate {0}.", "I think I prefer {0}." }[steps.Next(4)];
                        await SendAsync(node, HttpMethod.Post, "/api/turns", token, HttpStatusCode.Created, new { userMessage = string.Format(said, topic), aiResponse = "Noted." });
                        break;
                }
            }
        });

        // The sailors' topic is compared with the rest (the random users never say it).
        topics = [.. topics, sailing];
        foreach (var shard in new[] { ShardedCluster.East, ShardedCluster.West })
            await ShardReads.WaitForProjectionsAsync(cluster.Owner(shard), TimeSpan.FromSeconds(60));
        var shards = new[] { cluster.Owner(ShardedCluster.East), cluster.Owner(ShardedCluster.West) };
        await ShardReads.GlobalFiguresEqualTheShardsAsync(cluster.Owner(ShardedCluster.GlobalName), shards, TimeSpan.FromSeconds(60));

        var expected = (await ShardReads.ReferenceOverTheUnionAsync(shards)).Where(p => topics.Contains(p.Key)).ToList();
        Assert.NotEmpty(expected);
        var global = (await ShardReads.RowsAsync(cluster.Owner(ShardedCluster.GlobalName), $"""
                SELECT data->>'Key', data->>'Type', holders, (data->>'RatedTurns')::int, (data->>'SuccessfulTurns')::int
                FROM {GlobalStore.Schema}.mt_doc_globalpatternfigures WHERE holders >= 2
                """))
            .Select(r => (Key: (string)r[0]!, Type: (string)r[1]!, Users: Convert.ToInt32(r[2]), Rated: Convert.ToInt32(r[3]), Successful: Convert.ToInt32(r[4])))
            .Where(p => topics.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Type, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, global);
        // Some pattern has holders in both shards: the sums are what is compared, not one shard's part.
        Assert.Contains(expected, p => HoldersIn(p, ShardedCluster.East, shards) && HoldersIn(p, ShardedCluster.West, shards));

        // Knowledge: every pattern the seed's rule promotes over the union is knowledge, and no knowledge falls below the
        // demotion bounds (promotion and demotion differ, so between them either may hold, by history).
        var qualifying = expected.Where(p => p.Users >= 5 && p.Rated >= 20 && p.Successful >= 0.8 * p.Rated).Select(p => $"{p.Type}/{p.Key}").ToHashSet();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HashSet<string> knowledge;
        do
        {
            var listed = await SendAsync(cluster.Nodes[seed % 2], HttpMethod.Get, "/api/knowledge", cluster.Token("observer"), HttpStatusCode.OK);
            knowledge = listed.EnumerateArray().Select(k => $"{k.GetProperty("type").GetString()}/{k.GetProperty("key").GetString()}")
                .Where(k => topics.Any(t => k.EndsWith("/" + t, StringComparison.Ordinal))).ToHashSet();
        } while (!qualifying.IsSubsetOf(knowledge) && DateTime.UtcNow < deadline && await Delay());

        Assert.Contains($"preference/{sailing}", qualifying);
        Assert.Subset(knowledge, qualifying);
        foreach (var item in knowledge)
        {
            var p = expected.Single(e => $"{e.Type}/{e.Key}" == item);
            Assert.True(p.Users >= 4 && p.Successful >= 0.75 * p.Rated, $"{item} is knowledge with {p.Users} holders, {p.Successful} of {p.Rated} successful");
        }

        // What users are shown is the same union, through either node: the patterns and the knowledge's current holders.
        foreach (var node in cluster.Nodes)
        {
            var patterns = (await SendAsync(node, HttpMethod.Get, "/api/patterns", cluster.Token("observer"), HttpStatusCode.OK)).EnumerateArray()
                .Select(p => (Key: p.GetProperty("key").GetString()!, Type: p.GetProperty("type").GetString()!, Users: p.GetProperty("userCount").GetInt32()))
                .Where(p => topics.Contains(p.Key)).OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Type, StringComparer.Ordinal).ToList();
            Assert.Equal(expected.Select(p => (p.Key, p.Type, p.Users)), patterns);
            var sailingKnowledge = (await SendAsync(node, HttpMethod.Get, "/api/knowledge", cluster.Token("observer"), HttpStatusCode.OK)).EnumerateArray()
                .Single(k => k.GetProperty("key").GetString() == sailing);
            Assert.Equal(expected.Single(p => p.Key == sailing).Users, sailingKnowledge.GetProperty("userCount").GetInt32());
        }

        output.WriteLine($"seed {seed}: {expected.Count} patterns over {users.Count + sailors.Count} users, " +
                         $"{expected.Count(p => HoldersIn(p, ShardedCluster.East, shards) && HoldersIn(p, ShardedCluster.West, shards))} with holders in both shards; " +
                         $"{qualifying.Count} qualify for knowledge, {knowledge.Count} are knowledge");
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(200);
        return true;
    }

    private static bool HoldersIn((string Key, string Type, int Users, int Rated, int Successful) pattern, string shard, string[] shards) =>
        ShardReads.ScalarAsync(shards[shard == ShardedCluster.East ? 0 : 1],
            $"SELECT count(*) FROM {StoreTables.Of<Features.Learning.Pattern>()} WHERE data->>'Key' = $1 AND data->>'Type' = $2 AND user_count > 0",
            pattern.Key, pattern.Type).GetAwaiter().GetResult() > 0;

    /// <summary>Letters only (the extractor keeps words), different for each seed.</summary>
    private static string Letters(int seed) => new(seed.ToString("00000").Select(c => (char)('k' + (c - '0'))).ToArray());

    /// <summary>Sends a request and checks its status (any, when <paramref name="expected"/> is null); returns the JSON body.</summary>
    public static async Task<JsonElement> SendAsync(ServiceProcess node, HttpMethod method, string url, string token, HttpStatusCode? expected, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url) { Headers = { { "Authorization", $"Bearer {token}" } } };
        if (body != null) request.Content = JsonContent.Create(body);
        using var response = await node.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (expected is { } status) Assert.True(response.StatusCode == status, $"{method} {url} on :{node.Port}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}
