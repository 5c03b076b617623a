using System.Security.Claims;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine.Http;

namespace CrossLearn.Features.Analytics;

public static class AnalyticsEndpoints
{
    [WolverineGet("/api/me/analytics")]
    [Authorize(Policy = Policies.SignedIn)]
    public static async Task<AnalyticsView> GetMine(
        ClaimsPrincipal principal, UserScopedReads reads, PopulationRanks ranks, CancellationToken ct)
    {
        var userId = Caller.From(principal).UserId;
        await using var scope = await reads.OpenAsync(userId, ct);
        return await UserAnalytics.ForUserAsync(scope.Session, ranks, userId, ct);
    }

    [WolverineGet("/api/admin/users/{userId}/analytics")]
    [Authorize(Policy = Policies.Admin)]
    public static Task<AnalyticsView> GetUsers(string userId, IQuerySession session, PopulationRanks ranks, CancellationToken ct) =>
        UserAnalytics.ForUserAsync(session, ranks, userId, ct);

    [WolverineGet("/api/admin/analytics")]
    [Authorize(Policy = Policies.Admin)]
    public static async Task<PopulationView> GetPopulation(PopulationRanks ranks, CancellationToken ct) =>
        PopulationAnalytics.From(await ranks.CurrentAsync(ct));
}
