using CrossLearn.Features.Profile;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;

namespace CrossLearn.Features.Analytics;

public sealed record Percentiles(double MemoryCount, double InteractionCount, double? SuccessRate);

/// <param name="Cluster">Where the user stands among the users of their cluster (issue #16); null when in none.</param>
public sealed record AnalyticsView(
    int MemoryCount, int InteractionCount, double? SuccessRate, Percentiles Percentiles, int Population, DateTimeOffset CalculatedAt,
    ClusterStanding? Cluster = null);

/// <summary>The same percentiles within the user's cluster, of <paramref name="Population"/> users.</summary>
public sealed record ClusterStanding(int ClusterId, Percentiles Percentiles, int Population);

/// <summary>
/// A user's figures and where they stand: the percent of users with a strictly lower value (0-100), ranked against
/// the population distribution (<see cref="PopulationRanks"/>); nothing scans users per request.
/// Success-rate percentiles are among users who have rated at least one turn.
/// </summary>
public static class UserAnalytics
{
    public static async Task<AnalyticsView> ForUserAsync(IQuerySession session, PopulationRanks ranks, string userId, CancellationToken ct)
    {
        var profile = await session.LoadAsync<UserProfile>(userId, ct) ?? new UserProfile { Id = userId };
        var membership = await session.LoadAsync<Clusters.ClusterMembership>(userId, ct);
        var population = await ranks.CurrentAsync(ct);
        var cluster = membership != null && population.Clusters.TryGetValue(membership.ClusterId, out var members)
            ? new ClusterStanding(membership.ClusterId, Standing(profile, members), members.Population)
            : null;
        return new AnalyticsView(profile.MemoryCount, profile.InteractionCount, profile.SuccessRate, Standing(profile, population),
            population.Population, population.CalculatedAt, cluster);
    }

    private static Percentiles Standing(UserProfile profile, PopulationRanks.Distribution population) =>
        new(Percent(PopulationRanks.Distribution.Below(population.MemoryCounts, profile.MemoryCount), population.Population),
            Percent(PopulationRanks.Distribution.Below(population.InteractionCounts, profile.InteractionCount), population.Population),
            profile.SuccessRate is { } rate ? Percent(PopulationRanks.Distribution.Below(population.SuccessRates, rate), population.SuccessRates.Length) : null);

    private static double Percent(int below, int of) => of == 0 ? 0 : Math.Round(100.0 * below / of, 1);
}
