using System.Diagnostics;
using CrossLearn.Features.Clusters;
using CrossLearn.Platform.Http;

namespace CrossLearn.Benchmarks;

/// <summary>
/// Planted groups of users played through the real HTTP API (issue #16): each group has tastes of its own, each user
/// says in plain sentences some of their group's (a share of them another group's: <c>--crossover</c>, 20%) and a few
/// everyone shares; an admin clusters them; the clusters are
/// scored against the planted groups (adjusted Rand index) and the recommendations by leave-one-out: one of each user's
/// tastes is held out (never said), and it is a hit when it is among their 10 recommendations, against a popularity
/// baseline (the 10 things most users hold that this user does not).
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project tests/CrossLearn.Benchmarks -- --simulate-clusters [--users N] [--seed S] [--crossover PERCENT] [--service-env NAME=VALUE]</c>
/// No turn is rated, so recommendations rank by how many of the cluster hold an item (their lift is 0 without evidence).
/// </remarks>
public static class ClusterSimulation
{
    private static readonly string[][] Tastes =
    [
        ["dark mode", "python", "vim", "linux", "mechanical keyboards", "code examples", "rust", "unit tests", "type hints", "terminal apps", "open source", "docker"],
        ["hiking", "camping", "trail running", "kayaking", "rock climbing", "mountain biking", "fishing", "bird watching", "national parks", "backpacking", "canoeing", "skiing"],
        ["vegan recipes", "sourdough", "cast iron pans", "spicy food", "fermentation", "olive oil", "fresh herbs", "curry", "tofu", "pickles", "farmers markets", "ramen"],
        ["jazz", "vinyl records", "classical music", "piano", "oil painting", "poetry", "museums", "opera", "watercolors", "film photography", "theatre", "guitar"],
    ];

    private static readonly string[] Shared = ["coffee", "tea", "cats", "dogs", "short answers", "bullet points", "metric units", "podcasts"];

    /// <param name="HeldOut">The taste this user has but never says: what leave-one-out asks the recommendations for.</param>
    private sealed record SimUser(string Id, int Group, string Token, List<string> Phrases, string? HeldOut)
    {
        /// <summary>What the service learned from each phrase (type, key).</summary>
        public Dictionary<string, (string Type, string Key)> Learned { get; } = [];
    }

    public static async Task<int> RunAsync(string[] args)
    {
        int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
        var usersCount = Arg("--users", 800);
        var seed = Arg("--seed", 5);
        // Groups are not walls: this share of a user's own tastes are another group's instead.
        var crossover = Arg("--crossover", 20) / 100.0;
        var random = new Random(seed);
        Log.Phase($"Cluster simulation: {usersCount} users in {Tastes.Length} planted groups, {crossover:P0} of tastes from another group, seed {seed}");
        var environment = new Dictionary<string, string> { ["RateLimits__Enabled"] = "false" };
        await using var service = await SimulatedService.StartAsync("cluster-simulation-service.log", environment, args);
        var admin = service.Token("sim-admin", Roles.Admin);

        // Each user: 5 to 8 of their group's 12 tastes and 0 to 2 of the shared ones, said one sentence each.
        var users = Enumerable.Range(0, usersCount).Select(i =>
        {
            var group = i % Tastes.Length;
            var phrases = Tastes[group].OrderBy(_ => random.Next()).Take(random.Next(5, 9))
                .Select(p => random.NextDouble() >= crossover ? p : Tastes[(group + random.Next(1, Tastes.Length)) % Tastes.Length][random.Next(12)])
                .Concat(Shared.OrderBy(_ => random.Next()).Take(random.Next(0, 3))).Distinct().ToList();
            var id = $"sim-{i:D5}";
            var heldOut = phrases.Count >= 2 ? phrases[random.Next(phrases.Count)] : null;
            return new SimUser(id, group, service.Token(id), phrases.Where(p => p != heldOut).ToList(), heldOut);
        }).ToList();
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (user, _) =>
        {
            foreach (var phrase in user.Phrases)
                if ((await service.PostTurnAsync(user.Token, $"I prefer {phrase}.")) is [var learned, ..])
                    lock (user.Learned) user.Learned[phrase] = learned;
        });
        var said = users.Sum(u => u.Phrases.Count);
        var learnedCount = users.Sum(u => u.Learned.Count);
        Log.Info($"{said} sentences in {clock.Elapsed.TotalSeconds:F1} s; {learnedCount} learned ({100.0 * learnedCount / said:F1}%)");

        Log.Phase("An admin clusters the users (POST /api/admin/clusters/runs)");
        clock.Restart();
        var started = await service.PostAsync("/api/admin/clusters/runs", admin, new { });
        var runId = started.GetProperty("runId").GetGuid();
        System.Text.Json.JsonElement run;
        while ((run = await service.GetAsync("/api/admin/clusters/runs/latest", admin)).GetProperty("runId").GetGuid() != runId
               || run.GetProperty("status").GetString() == ClusteringRun.Running)
            await Task.Delay(100);
        if (run.GetProperty("status").GetString() != ClusteringRun.Completed) throw new InvalidOperationException($"clustering ended {run}");
        Log.Info($"run {runId}: {run.GetProperty("clusters").GetInt32()} clusters over {run.GetProperty("usersClustered").GetInt32()} users in {clock.Elapsed.TotalSeconds:F1} s; " +
                 $"silhouettes tried: {string.Join(", ", run.GetProperty("tried").EnumerateArray().Select(t => $"{t.GetProperty("clusters").GetInt32()}: {t.GetProperty("silhouette").GetDouble():F3}"))}");

        var clusters = new Dictionary<string, int>();
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (user, _) =>
        {
            try
            {
                var mine = await service.GetAsync("/api/me/cluster", user.Token);
                lock (clusters) clusters[user.Id] = mine.GetProperty("clusterId").GetInt32();
            }
            catch (HttpRequestException e) when (e.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // In no cluster: counted below.
            }
        });
        var planted = users.ToDictionary(u => u.Id, u => u.Group);
        var ari = AdjustedRandIndex.Of(clusters, planted);
        Log.Info($"adjusted Rand index against the planted groups: {ari:F3} ({clusters.Count} of {users.Count} users clustered)");

        Log.Phase("Leave one out: is each user's held-out taste among their 10 recommendations?");
        // What the service learns from a phrase (said by other users), and popularity: the keys most users hold.
        var keyOf = new Dictionary<string, (string Type, string Key)>();
        foreach (var user in users) foreach (var (phrase, learned) in user.Learned) keyOf.TryAdd(phrase, learned);
        var popularity = users.SelectMany(u => u.Learned.Values).GroupBy(l => l).OrderByDescending(g => g.Count()).ThenBy(g => g.Key.Key, StringComparer.Ordinal)
            .Select(g => g.Key).ToList();
        int trials = 0, hits = 0, popularHits = 0;
        clock.Restart();
        await Parallel.ForEachAsync(users.Where(u => u.HeldOut != null && keyOf.ContainsKey(u.HeldOut)), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (user, _) =>
        {
            var hidden = keyOf[user.HeldOut!];
            var recommended = (await service.GetAsync("/api/me/recommendations", user.Token)).GetProperty("items").EnumerateArray()
                .Select(r => r.GetProperty("key").GetString()!).Take(10).ToList();
            var held = user.Learned.Values.Select(l => l.Key).ToHashSet();
            var popular = popularity.Where(p => !held.Contains(p.Key)).Take(10).ToList();
            lock (users)
            {
                trials++;
                if (recommended.Contains(hidden.Key)) hits++;
                if (popular.Any(p => p.Key == hidden.Key)) popularHits++;
            }
        });
        var rate = (double)hits / trials;
        var popularRate = (double)popularHits / trials;
        Log.Info($"{trials} users in {clock.Elapsed.TotalSeconds:F1} s: hit rate at 10, recommendations {rate:P1}, popularity {popularRate:P1}; " +
                 $"ratio {(popularRate == 0 ? double.PositiveInfinity : rate / popularRate):F2}");
        return 0;
    }
}
