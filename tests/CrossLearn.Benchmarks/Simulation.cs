using System.Net.Http.Json;
using System.Text.Json;
using CrossLearn.DevDatabase;
using CrossLearn.Features.Learning;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Npgsql;

namespace CrossLearn.Benchmarks;

/// <summary>
/// A population with known ground truth, played through the real HTTP API over simulated days (issue #15, part 5):
/// users with latent success rates (log-odds around 0.6) in groups; patterns whose holders are happy but that truly help others, that truly
/// hurt others (popular with happy holders: the seed's correlational rule promotes them), or that do nothing; one
/// helpful pattern that stops working half-way (its holders' turns start failing). Every turn is answered with the
/// user's context and rated by a draw from the truth, so what the service decides can be scored against the truth.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project tests/CrossLearn.Benchmarks -- --simulate [--users N] [--days D] [--seed S] [--aa] [--no-drift] [--service-env NAME=VALUE]</c>
/// (<c>--aa</c>: every pattern without effect, to check how often an experiment's interval excludes 0).
/// The service runs with the experiment promotion policy and experiments started on their own; the seed's rule alone is
/// scored on the same population (the same figures, <see cref="Promotion.Qualifies"/>).
/// </remarks>
public static class Simulation
{
    private enum Kind { Helpful, Harmful, Neutral }

    /// <param name="Effect">What being given it does to a non-holder's success, on the log-odds scale, by the user's group.</param>
    private sealed record PatternTruth(string Phrase, Kind Kind, int Holders, double HolderBase, Func<int, double> Effect)
    {
        public string Key { get; set; } = "";
        public bool Drifts { get; init; }
    }

    private sealed record SimUser(string Id, int Group, double Base, string Token)
    {
        public HashSet<string> Holds { get; } = [];
    }

    /// <summary>One rated turn: when, whose, the knowledge it was given with, and how it went.</summary>
    /// <param name="Withheld">The keys an experiment withheld from this user (control arm) in this turn's context.</param>
    private sealed record RatedTurn(int Day, SimUser User, IReadOnlyList<string> Given, IReadOnlyList<string> Withheld, bool Success);

    public static async Task<int> RunAsync(string[] args)
    {
        int Arg(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var v) ? v : fallback;
        var usersCount = Arg("--users", 400);
        var days = Arg("--days", 14);
        var seed = Arg("--seed", 7);
        const int groups = 4, turnsPerDay = 2, driftDay = 7;
        var random = new Random(seed);

        Log.Phase($"Simulation: {usersCount} users in {groups} groups, {days} days, {turnsPerDay} rated turns a user a day, seed {seed}");
        var learning = new LearningSettings { PromotionPolicy = PromotionPolicies.Experiment, RecentWindowRatedTurns = 50, RecentMinRatedTurns = 20 };
        var environment = new Dictionary<string, string>
        {
            ["Learning__PromotionPolicy"] = learning.PromotionPolicy,
            ["Learning__RecentWindowRatedTurns"] = learning.RecentWindowRatedTurns.ToString(),
            ["Learning__RecentMinRatedTurns"] = learning.RecentMinRatedTurns.ToString(),
            ["Learning__AgeEveryHours"] = "0",
            ["Experiments__AutoStart"] = "true",
            ["Experiments__HorizonUsersPerArm"] = "150",
            ["Experiments__HorizonRatedTurnsPerArm"] = "1200",
            ["Experiments__CheckMilliseconds"] = "200",
            ["RateLimits__Enabled"] = "false"
        };
        await using var service = await SimulatedService.StartAsync("simulation-service.log", environment, args);
        {
            string Token(string user, string role = Roles.User) => service.Token(user, role);
            var admin = Token("sim-admin", Roles.Admin);

            // The truth. Helpful patterns help their group most and everyone a little; harmful ones hurt everyone given them.
            var truths = new List<PatternTruth>();
            string[] helpful = ["dark mode", "code examples", "bullet points", "metric units"];
            string[] harmful = ["long answers", "formal tone", "emoji", "jokes"];
            string[] neutral = ["tea", "jazz", "tabs", "cats"];
            for (var i = 0; i < helpful.Length; i++)
            {
                var group = i % groups;
                truths.Add(new PatternTruth(helpful[i], Kind.Helpful, 20, 0.88, g => g == group ? 1.2 : 0.5) { Drifts = i == 0 });
            }

            foreach (var phrase in harmful) truths.Add(new PatternTruth(phrase, Kind.Harmful, 30, 0.92, _ => -0.6));
            foreach (var phrase in neutral) truths.Add(new PatternTruth(phrase, Kind.Neutral, 20, 0.6, _ => 0));
            // An A/A run: the same population, every pattern without any effect, to count how often an interval excludes 0.
            if (args.Contains("--aa")) truths = truths.Select(t => t with { Kind = Kind.Neutral, Effect = _ => 0, Drifts = false }).ToList();
            // Without the drift: whether an experiment's verdict was swayed by the drifting pattern's holders failing mid-way.
            if (args.Contains("--no-drift")) truths = truths.Select(t => t with { Drifts = false }).ToList();

            var users = Enumerable.Range(0, usersCount)
                .Select(i => new SimUser($"sim-{i:D5}", i % groups, SuccessPrediction.Sigmoid(SuccessPrediction.Logit(0.6) + 0.5 * Normal(random)), ""))
                .Select(u => u with { Token = Token(u.Id) }).ToList();
            // Holders: drawn at random; a holder's base rate is the pattern's (happy holders), the best if several.
            var holderBase = new Dictionary<string, double>();
            foreach (var truth in truths)
                foreach (var holder in users.OrderBy(_ => random.Next()).Take(truth.Holders))
                {
                    holder.Holds.Add(truth.Phrase);
                    holderBase[holder.Id] = Math.Max(holderBase.GetValueOrDefault(holder.Id), truth.HolderBase);
                }

            users = users.Select(u => holderBase.TryGetValue(u.Id, out var b) ? CopyWithBase(u, b) : u).ToList();
            var byKey = new Dictionary<string, PatternTruth>();

            Log.Phase("Day 0: the holders say what they prefer");
            foreach (var user in users)
            foreach (var phrase in user.Holds)
            {
                var learned = await service.PostTurnAsync(user.Token, $"I prefer {phrase}.");
                var truth = truths.Single(t => t.Phrase == phrase);
                if (learned.Count > 0 && truth.Key == "") { truth.Key = learned[0].Key; byKey[truth.Key] = truth; }
            }

            var log = new List<RatedTurn>();
            var demotedOnDay = (int?)null;
            var drifting = truths.SingleOrDefault(t => t.Drifts) ?? truths[0];
            for (var day = 1; day <= days; day++)
            {
                var drifted = day >= driftDay;
                var dayTurns = 0;
                await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (user, ct) =>
                {
                    for (var t = 0; t < turnsPerDay; t++)
                    {
                        var context = await service.GetAsync("/api/me/context", user.Token);
                        var given = context.GetProperty("knowledge").EnumerateArray().Select(k => k.GetProperty("key").GetString()!).ToList();
                        var withheld = context.GetProperty("experiments").EnumerateArray()
                            .Where(x => x.GetProperty("arm").GetString() == "control").Select(x => x.GetProperty("key").GetString()!).ToList();
                        // The truth, on the log-odds scale: the user's base, plus what each piece of knowledge given does.
                        var logit = SuccessPrediction.Logit(user.Base);
                        // A holder of the drifting pattern: after the drift, what they taught no longer works for them.
                        if (drifted && drifting.Drifts && user.Holds.Contains(drifting.Phrase)) logit -= 5;
                        foreach (var key in given)
                            if (byKey.TryGetValue(key, out var truth) && !user.Holds.Contains(truth.Phrase))
                                logit += truth.Drifts && drifted ? -0.5 : truth.Effect(user.Group);
                        bool success;
                        lock (random) success = random.NextDouble() < SuccessPrediction.Sigmoid(logit);
                        var turnId = Guid.NewGuid();
                        await service.PostAsync("/api/turns", user.Token,
                            new { userMessage = "What do you suggest?", aiResponse = "Here is my suggestion.", contextId = context.GetProperty("contextId").GetString(), turnId });
                        await service.PostAsync($"/api/turns/{turnId}/feedback", user.Token, new { success });
                        lock (log) { log.Add(new RatedTurn(day, user, given, withheld, success)); dayTurns++; }
                    }
                });

                // A day's end: the patterns aged as of now (the service's clock moves on in real time).
                await Task.Delay(500);
                var aging = await service.PostAsync("/api/admin/patterns/age", admin, new { });
                var knowledge = (await service.GetAsync("/api/knowledge", admin)).EnumerateArray().Select(k => k.GetProperty("key").GetString()!).ToHashSet();
                if (drifted && demotedOnDay == null && !knowledge.Contains(drifting.Key) && WasPromoted(await KnowledgeEventsAsync(service.OwnerConnection), drifting.Key))
                    demotedOnDay = day;
                Log.Info($"day {day}: {dayTurns} rated turns; knowledge: {string.Join(", ", knowledge.Order())}; aging {aging.GetProperty("patterns").GetInt32()} patterns, {aging.GetProperty("demoted").GetInt32()} demoted");
            }

            await Task.Delay(1000);
            var events = await KnowledgeEventsAsync(service.OwnerConnection);
            var experiments = (await service.GetAsync("/api/admin/experiments", admin)).EnumerateArray().ToList();
            var patterns = (await service.GetAsync("/api/patterns", admin)).EnumerateArray()
                .ToDictionary(p => p.GetProperty("key").GetString()!, p => p);

            Log.Phase("Results");
            int promotedByService = 0, promotedBySeed = 0;
            var table = new List<string> { "| pattern | truth | holders' success | experiment verdict (treatment - control, 95% interval) | promoted by the service (seed rule + experiment) | promoted by the seed rule alone |", "|---|---|---|---|---|---|" };
            foreach (var truth in truths)
            {
                var everPromoted = WasPromoted(events, truth.Key);
                var x = experiments.FirstOrDefault(e => e.GetProperty("key").GetString() == truth.Key);
                var verdict = x.ValueKind == JsonValueKind.Undefined ? "none"
                    : $"{x.GetProperty("verdict").ToString() switch { "" => x.GetProperty("status").GetString(), var v => v }} ({Difference(x.GetProperty("figures"))})";
                var rate = patterns.TryGetValue(truth.Key, out var pattern) ? pattern.GetProperty("successRate").GetDouble() : double.NaN;
                var seedPromotes = SeedRuleEverQualifies(log, truth, users, learning);
                table.Add($"| {truth.Key} | {truth.Kind}{(truth.Drifts ? $", stops working on day {driftDay}" : "")} | {rate:P0} | {verdict} | {(everPromoted ? "yes" : "no")} | {(seedPromotes ? "yes" : "no")} |");
                if (everPromoted) promotedByService++;
                if (seedPromotes) promotedBySeed++;
            }

            foreach (var line in table) Console.WriteLine(line);
            string Share(Kind kind, Func<PatternTruth, bool> promoted) =>
                $"{truths.Count(t => t.Kind == kind && promoted(t))} of {truths.Count(t => t.Kind == kind)}";
            Log.Info($"helpful patterns promoted: service {Share(Kind.Helpful, t => WasPromoted(events, t.Key))}, seed rule alone {Share(Kind.Helpful, t => SeedRuleEverQualifies(log, t, users, learning))}");
            Log.Info($"harmful patterns promoted: service {Share(Kind.Harmful, t => WasPromoted(events, t.Key))}, seed rule alone {Share(Kind.Harmful, t => SeedRuleEverQualifies(log, t, users, learning))}");
            Log.Info($"neutral patterns promoted: service {Share(Kind.Neutral, t => WasPromoted(events, t.Key))}, seed rule alone {Share(Kind.Neutral, t => SeedRuleEverQualifies(log, t, users, learning))}");
            if (drifting.Drifts)
                Log.Info(WasPromoted(events, drifting.Key)
                    ? $"'{drifting.Key}' stopped working on day {driftDay}: {(demotedOnDay is { } d ? $"demoted by decay on day {d} ({d - driftDay + 1} daily agings after the drift)" : "not demoted by the end")}"
                    : $"'{drifting.Key}' was never promoted, so its decay was not observed");
            Log.Info($"verdicts: {string.Join(", ", experiments.GroupBy(x => x.GetProperty("verdict").ToString() is { Length: > 0 } v ? v : x.GetProperty("status").GetString()).Select(g => $"{g.Key} {g.Count()}"))}");

            ScorePrediction(log, days / 2 + 1, users, byKey);
            return 0;
        }
    }

    private static SimUser CopyWithBase(SimUser u, double b)
    {
        var copy = u with { Base = b };
        copy.Holds.UnionWith(u.Holds);
        return copy;
    }

    /// <summary>Fit on the days before <paramref name="splitDay"/>, score every later rated turn with each item it was given with.</summary>
    private static void ScorePrediction(List<RatedTurn> log, int splitDay, List<SimUser> users, Dictionary<string, PatternTruth> byKey)
    {
        var fit = log.Where(t => t.Day < splitDay).ToList();
        var global = new Evidence(fit.Count, fit.Count(t => t.Success));
        var perUser = fit.GroupBy(t => t.User.Id).ToDictionary(g => g.Key, g => new Evidence(g.Count(), g.Count(t => t.Success)));
        // An item's evidence is what the service uses: turns given with it against turns it was withheld from (the
        // experiment's arms). The first version used its holders' rated turns instead: scored beside it.
        Evidence Of(IEnumerable<RatedTurn> turns) { var list = turns.ToList(); return new Evidence(list.Count, list.Count(t => t.Success)); }
        var given = byKey.Keys.ToDictionary(key => key, key => Of(fit.Where(t => t.Given.Contains(key) && !t.User.Holds.Contains(byKey[key].Phrase))));
        var withheld = byKey.Keys.ToDictionary(key => key, key => Of(fit.Where(t => t.Withheld.Contains(key))));
        var holders = byKey.ToDictionary(kv => kv.Key, kv => Of(fit.Where(t => t.User.Holds.Contains(kv.Value.Phrase))));

        var scored = log.Where(t => t.Day >= splitDay).SelectMany(t => t.Given.Where(byKey.ContainsKey).Select(key => (Turn: t, Key: key))).ToList();
        if (scored.Count == 0)
        {
            Log.Info("prediction: no later turn was given knowledge; nothing to score");
            return;
        }

        (double LogLoss, double Brier) Score(Func<RatedTurn, string, double> predict)
        {
            double logLoss = 0, brier = 0;
            foreach (var (turn, key) in scored)
            {
                var p = Math.Clamp(predict(turn, key), 1e-6, 1 - 1e-6);
                var y = turn.Success ? 1 : 0;
                logLoss -= y * Math.Log(p) + (1 - y) * Math.Log(1 - p);
                brier += (p - y) * (p - y);
            }

            return (logLoss / scored.Count, brier / scored.Count);
        }

        var none = new Evidence(0, 0);
        var model = Score((t, key) => SuccessPrediction.Predict(global, perUser.GetValueOrDefault(t.User.Id, none), given[key], withheld[key]));
        var byHolders = Score((t, key) =>
        {
            var g = SuccessPrediction.Global(global);
            var item = (holders[key].Successes + SuccessPrediction.ItemPriorTurns * g) / (holders[key].Rated + SuccessPrediction.ItemPriorTurns);
            var user = SuccessPrediction.User(global, perUser.GetValueOrDefault(t.User.Id, none));
            return SuccessPrediction.Sigmoid(SuccessPrediction.Logit(item) + SuccessPrediction.Logit(user) - SuccessPrediction.Logit(g));
        });
        var globalRate = Score((_, _) => SuccessPrediction.Global(global));
        var ownRate = Score((t, _) => SuccessPrediction.UsersOwnRate(perUser.GetValueOrDefault(t.User.Id, none)));
        Log.Info($"prediction, fit on days 1-{splitDay - 1} ({fit.Count} rated turns), scored on days {splitDay}+ ({scored.Count} (turn, item) pairs):");
        Log.Info($"  hierarchical Beta-Binomial (user, item lift given vs withheld): log loss {model.LogLoss:F4}, Brier {model.Brier:F4}");
        Log.Info($"  first version (item = its holders' rate):   log loss {byHolders.LogLoss:F4}, Brier {byHolders.Brier:F4}");
        Log.Info($"  global success rate:                        log loss {globalRate.LogLoss:F4}, Brier {globalRate.Brier:F4}");
        Log.Info($"  user's own rate:                            log loss {ownRate.LogLoss:F4}, Brier {ownRate.Brier:F4}");
    }

    /// <summary>
    /// The seed's rule on the same population: at some day's end, the pattern had PromotionMinUsers holders, PromotionMinRatedTurns
    /// rated turns among them, and their success rate reached PromotionMinSuccessRate.
    /// </summary>
    private static bool SeedRuleEverQualifies(List<RatedTurn> log, PatternTruth truth, List<SimUser> users, LearningSettings settings)
    {
        var holders = users.Count(u => u.Holds.Contains(truth.Phrase));
        var lastDay = log.Count == 0 ? 0 : log.Max(t => t.Day);
        for (var day = 1; day <= lastDay; day++)
        {
            var rated = log.Where(t => t.Day <= day && t.User.Holds.Contains(truth.Phrase)).ToList();
            if (Promotion.Qualifies(new Promotion.Figures("preference", truth.Key, holders, rated.Count, rated.Count(t => t.Success)), settings)) return true;
        }

        return false;
    }

    private static bool WasPromoted(IReadOnlyList<(string Type, string Key)> events, string key) =>
        events.Any(e => e.Type == "pattern_promoted" && e.Key == key);

    private static async Task<IReadOnlyList<(string Type, string Key)>> KnowledgeEventsAsync(string owner)
    {
        await using var connection = new NpgsqlConnection(owner);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT type, data->>'Key' FROM {EventStore.Schema}.mt_events WHERE stream_id = @stream ORDER BY seq_id", connection);
        command.Parameters.AddWithValue("stream", Features.Learning.KnowledgeStream.Key);
        var events = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) events.Add((reader.GetString(0), reader.IsDBNull(1) ? "" : reader.GetString(1)));
        return events;
    }

    private static string Difference(JsonElement figures) =>
        figures.GetProperty("difference").ValueKind == JsonValueKind.Null ? "no figures"
        : $"{100 * figures.GetProperty("difference").GetDouble():+0.0;-0.0;0.0} pts, [{Points(figures.GetProperty("low"))}, {Points(figures.GetProperty("high"))}]; " +
          $"{figures.GetProperty("treatment").GetProperty("users").GetInt32()} and {figures.GetProperty("control").GetProperty("users").GetInt32()} users";

    private static string Points(JsonElement value) => value.ValueKind == JsonValueKind.Null ? "-" : $"{100 * value.GetDouble():+0.0;-0.0;0.0}";

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
