using CrossLearn.Features.Profile;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;

namespace CrossLearn.Features.Analytics;

public sealed record Percentiles(double MemoryCount, double InteractionCount, double? SuccessRate);

public sealed record AnalyticsView(
    int MemoryCount, int InteractionCount, double? SuccessRate, Percentiles Percentiles, int Population, DateTimeOffset CalculatedAt);

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
        var population = await ranks.CurrentAsync(ct);
        return new AnalyticsView(profile.MemoryCount, profile.InteractionCount, profile.SuccessRate,
            new Percentiles(
                Percent(PopulationRanks.Distribution.Below(population.MemoryCounts, profile.MemoryCount), population.Population),
                Percent(PopulationRanks.Distribution.Below(population.InteractionCounts, profile.InteractionCount), population.Population),
                profile.SuccessRate is { } rate
                    ? Percent(PopulationRanks.Distribution.Below(population.SuccessRates, rate), population.SuccessRates.Length)
                    : null),
            population.Population, population.CalculatedAt);
    }

    private static double Percent(int below, int of) => of == 0 ? 0 : Math.Round(100.0 * below / of, 1);
}
