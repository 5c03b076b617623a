using CrossLearn.Platform.Sharding;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Profile;
using CrossLearn.Platform.Storage;
using Npgsql;

namespace CrossLearn.Features.Clusters;

/// <summary>How recommendations are chosen (configuration section <c>Recommendations</c>); docs/learning.md explains them.</summary>
public sealed class RecommendationSettings
{
    public const string Section = "Recommendations";

    /// <summary>An item is shown only when at least this many other users of the cluster hold it (k-anonymity; never below 2).</summary>
    public int MinHolders { get; set; } = 5;

    /// <summary>At most this many items, the best predicted first.</summary>
    public int MaxItems { get; set; } = 10;

    /// <summary>
    /// How long a node keeps a cluster's item counts before counting again (0: every request). Counting is a GROUP BY
    /// over every member's memories, far too slow for every request (docs/benchmarks.md, "Recommendations"); so an
    /// item's counts, and an erased member's part in them, may be this old.
    /// </summary>
    public double CacheSeconds { get; set; } = 60;

    /// <summary>
    /// How long a node trusts a cluster's member count before counting its members again (0: every request). A changed
    /// count (an erasure, a clustering run) has the items counted again at once; so an erased user's part in what is shown
    /// goes within this many seconds on every node. Counting the members of a large cluster in every request cost more
    /// than the rest of the request (docs/benchmarks.md, "Recommendations").
    /// </summary>
    public double MembershipCheckSeconds { get; set; } = 1;

    public static RecommendationSettings Load(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<RecommendationSettings>() ?? new RecommendationSettings();
        if (settings.MinHolders < 2)
            throw new InvalidOperationException("Recommendations:MinHolders may not be below 2: an item of one other user would expose that user.");
        if (settings.MaxItems is < 1 or > 100) throw new InvalidOperationException("Recommendations:MaxItems must be between 1 and 100.");
        if (settings.CacheSeconds is < 0 or > 3600) throw new InvalidOperationException("Recommendations:CacheSeconds must be between 0 and 3600.");
        if (settings.MembershipCheckSeconds is < 0 or > 60)
            throw new InvalidOperationException("Recommendations:MembershipCheckSeconds must be between 0 and 60 (an erased user's part may show that long).");
        return settings;
    }
}

/// <param name="Holders">Other users of the cluster who hold it, rounded (<see cref="Recommendations.Rounded"/>).</param>
/// <param name="ClusterUsers">The other users of the cluster, rounded.</param>
public sealed record RecommendationView(
    string Id, string Type, string Key, int Holders, int ClusterUsers, double? HoldersSuccessRate, double PredictedSuccess, string Explanation);

public sealed record RecommendationsView(int? ClusterId, IReadOnlyList<RecommendationView> Items);

/// <summary>
/// "Users like you prefer...": what the other users of this user's cluster hold (preferences and interests at the
/// pattern threshold's confidence) that this user holds under no type (so nothing they rejected with a negative
/// preference, nor what they already have) and never erased (<see cref="Profile.UserProfile.RetractedKeys"/>), held by at least <see cref="RecommendationSettings.MinHolders"/> of them,
/// ranked by predicted success. Never personal info, never a user id; counts are rounded.
/// </summary>
public static class Recommendations
{
    /// <summary>What a candidate's figures are, before privacy and ranking.</summary>
    public sealed record Candidate(string Type, string Key, int Holders, Evidence HoldersTurns);

    /// <summary>Counts under 10 as they are (at least <see cref="RecommendationSettings.MinHolders"/>), others to the nearest 5.</summary>
    public static int Rounded(int count) => count < 10 ? count : (int)(Math.Round(count / 5.0, MidpointRounding.AwayFromZero) * 5);

    /// <summary>A candidate that meets the privacy rule, with its lift on the log-odds scale.</summary>
    public sealed record RankedItem(Candidate Item, double Lift);

    /// <summary>
    /// The candidates that may be shown (preferences and interests held by k or more), best first. The prediction
    /// (<see cref="SuccessPrediction"/>) is the user's own rate shrunk to the global one plus the item's lift, so the
    /// order is the lift's, the same for every user of the cluster: measured by the latest concluded experiment of its
    /// pattern where there is one, else the holders' rated turns against the rest of the cluster's (observational: a
    /// hint, not a measurement).
    /// </summary>
    public static IReadOnlyList<RankedItem> Rank(
        IEnumerable<Candidate> candidates, Evidence clusterTurns, Evidence global,
        IReadOnlyDictionary<string, (Evidence Given, Evidence Withheld)> measured, RecommendationSettings settings) =>
        candidates.Where(c => c.Holders >= settings.MinHolders && c.Type is MemoryTypes.Preference or MemoryTypes.Interest)
            .Select(c =>
            {
                var others = new Evidence(clusterTurns.Rated - c.HoldersTurns.Rated, clusterTurns.Successes - c.HoldersTurns.Successes);
                var (given, withheld) = measured.TryGetValue(Pattern.IdFor(c.Type, c.Key), out var m) ? m : (c.HoldersTurns, others);
                return new RankedItem(c, SuccessPrediction.Lift(global, given, withheld));
            })
            .OrderByDescending(r => r.Lift).ThenByDescending(r => r.Item.Holders).ThenBy(r => r.Item.Key, StringComparer.Ordinal)
            .ToList();

    /// <summary>The first <see cref="RecommendationSettings.MaxItems"/> ranked items the user holds under no type, as shown to them.</summary>
    public static IReadOnlyList<RecommendationView> Choose(
        IReadOnlyList<RankedItem> ranked, IReadOnlySet<string> heldKeys, int peers, Evidence global, Evidence user, RecommendationSettings settings) =>
        ranked.Where(r => !heldKeys.Contains(r.Item.Key)).Take(settings.MaxItems).Select(r =>
            {
                var c = r.Item;
                var predicted = Math.Round(SuccessPrediction.Sigmoid(SuccessPrediction.Logit(SuccessPrediction.User(global, user)) + r.Lift), 4);
                var rate = Profile.SuccessRate.Of((int)c.HoldersTurns.Successes, (int)c.HoldersTurns.Rated);
                var explanation = $"held by {Rounded(c.Holders)} of the {Rounded(peers)} users most like you" +
                                  (rate is { } x ? $"; {Math.Round(x * 100, MidpointRounding.AwayFromZero):0}% of their rated turns succeed" : "; none of their turns rated yet");
                return new RecommendationView($"recommendation:{c.Type}:{c.Key}", c.Type, c.Key, Rounded(c.Holders), Rounded(peers),
                    rate is { } y ? Math.Round(y, 2) : null, predicted, explanation);
            })
            .ToList();

    /// <summary>Both steps at once, for a user who holds none of the candidates.</summary>
    public static IReadOnlyList<RecommendationView> Choose(
        IEnumerable<Candidate> candidates, int peers, Evidence clusterTurns, Evidence global, Evidence user,
        IReadOnlyDictionary<string, (Evidence Given, Evidence Withheld)> measured, RecommendationSettings settings) =>
        Choose(Rank(candidates, clusterTurns, global, measured, settings), new HashSet<string>(), peers, global, user, settings);

    /// <summary>A cluster's members, their rated turns, and each preference or interest they hold with its holders' figures.</summary>
    public sealed record ClusterItems(int Members, Evidence MembersTurns, IReadOnlyList<Candidate> Items)
    {
        /// <summary>The items in rank order (<see cref="Rank"/>), as of the counting, with what was measured then.</summary>
        public IReadOnlyList<RankedItem> Ranked { get; init; } = [];
    }

    /// <summary>Counts a cluster's items (every member included; a user's own part is taken out by the caller).</summary>
    public static async Task<ClusterItems> CountAsync(ShardDataSources pools, int clusterId, double minConfidence, CancellationToken ct)
    {
        var totals = (await ClusterPatterns.TotalsAsync(pools, clusterId, ct)).SingleOrDefault() ?? new ClusterTotals(clusterId, 0, new Evidence(0, 0));
        var items = (await ClusterPatterns.CountAsync(pools, clusterId, minConfidence, ct))
            .Where(f => f.Figures.Type is MemoryTypes.Preference or MemoryTypes.Interest)
            .Select(f => new Candidate(f.Figures.Type, f.Figures.Key, f.Figures.UserCount, new Evidence(f.Figures.RatedTurns, f.Figures.SuccessfulTurns)))
            .ToList();
        return new ClusterItems(totals.Members, totals.Turns, items);
    }
}

/// <summary>
/// Each cluster's item counts, kept per node for <see cref="RecommendationSettings.CacheSeconds"/>, and counted again
/// at once when the cluster's membership count changed (an erasure, a clustering run), which is looked at every
/// <see cref="RecommendationSettings.MembershipCheckSeconds"/>: one indexed count per cluster and period, not per request.
/// </summary>
public sealed class ClusterItemCounts(ShardDataSources pools, LearningSettings learning, RecommendationSettings settings, TimeProvider time)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, (DateTimeOffset CountedAt, Task<Recommendations.ClusterItems> Items)> _counted = new();

    /// <param name="rank">Orders a fresh count (<see cref="Recommendations.Rank"/>); kept with it.</param>
    public async Task<Recommendations.ClusterItems> OfAsync(int clusterId, Func<Recommendations.ClusterItems, Task<Recommendations.ClusterItems>> rank, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (settings.CacheSeconds > 0 && _counted.TryGetValue(clusterId, out var held) && now - held.CountedAt < TimeSpan.FromSeconds(settings.CacheSeconds)
            && held.Items is { IsCompletedSuccessfully: true, Result: var items } && items.Members == await MembersAsync(clusterId, ct))
            return items;
        // Requests that arrive while one counts wait for that count instead of starting their own.
        if (settings.CacheSeconds > 0 && _counted.TryGetValue(clusterId, out var pending) && !pending.Items.IsCompleted)
            return await pending.Items.WaitAsync(ct);
        var counting = RankedAsync();
        async Task<Recommendations.ClusterItems> RankedAsync()
        {
            var fresh = await Recommendations.CountAsync(pools, clusterId, learning.PatternMinConfidence, CancellationToken.None);
            // The count's own member count is the newest there is.
            _members[clusterId] = (time.GetUtcNow(), fresh.Members);
            return await rank(fresh);
        }
        _counted[clusterId] = (now, counting);
        return await counting.WaitAsync(ct);
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, (DateTimeOffset CheckedAt, int Members)> _members = new();

    /// <summary>The cluster's member count, counted at most every <see cref="RecommendationSettings.MembershipCheckSeconds"/>.</summary>
    private async Task<int> MembersAsync(int clusterId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (_members.TryGetValue(clusterId, out var known) && now - known.CheckedAt < TimeSpan.FromSeconds(settings.MembershipCheckSeconds)) return known.Members;
        var members = await CountMembersAsync(clusterId, ct);
        _members[clusterId] = (now, members);
        return members;
    }

    private async Task<int> CountMembersAsync(int clusterId, CancellationToken ct)
    {
        var members = 0;
        foreach (var database in pools.Map.Databases)
        {
            await using var command = pools.Of(database).CreateCommand($"SELECT count(*)::int FROM {StoreTables.Of<ClusterMembership>()} WHERE cluster_id = $1");
            command.Parameters.Add(new NpgsqlParameter { Value = clusterId });
            members += (int)(await command.ExecuteScalarAsync(ct))!;
        }

        return members;
    }
}
