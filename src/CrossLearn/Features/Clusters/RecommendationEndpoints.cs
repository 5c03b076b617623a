using System.Security.Claims;
using CrossLearn.Features.Analytics;
using CrossLearn.Features.Experiments;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Profile;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CrossLearn.Features.Clusters;

public static class RecommendationEndpoints
{
    /// <summary>"Users like you prefer...": for the caller; no cluster, no items.</summary>
    [WolverineGet("/api/me/recommendations")]
    [Authorize(Policy = Policies.SignedIn)]
    public static Task<RecommendationsView> Mine(
        ClaimsPrincipal principal, RecommendationReader reader, CancellationToken ct) =>
        reader.ForUserAsync(Caller.From(principal).UserId, ct);

    /// <summary>The same for a named user: the chat app's service token and admins; a user only for themself.</summary>
    [WolverineGet("/api/users/{userId}/recommendations")]
    [Authorize(Policy = Policies.SignedIn)]
    [ProducesResponseType<RecommendationsView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    public static async Task<IResult> ForUser(
        string userId, ClaimsPrincipal principal, RecommendationReader reader, CancellationToken ct)
    {
        if (Caller.From(principal).RefusalToRead(userId, "recommendations") is { } refusal) return refusal;
        return Results.Ok(await reader.ForUserAsync(userId, ct));
    }
}

/// <summary>A user's recommendations, for the endpoints and the context.</summary>
public sealed class RecommendationReader(
    IDocumentStore store, UserScopedReads reads, ClusterItemCounts counts, RecommendationSettings settings, PopulationRanks ranks)
{
    public async Task<RecommendationsView> ForUserAsync(string userId, CancellationToken ct)
    {
        ClusterMembership? membership;
        UserProfile? profile;
        IReadOnlyList<string> own;
        await using (var scope = await reads.OpenAsync(userId, ct))
        {
            // The user's membership, profile and the keys of their memories in one round trip.
            var batch = scope.Session.CreateBatchQuery();
            var loadedMembership = batch.Load<ClusterMembership>(userId);
            var loadedProfile = batch.Load<UserProfile>(userId);
            var loadedMemories = batch.Query<Memories.Memory>().Where(m => m.UserId == userId).Select(m => m.Key).ToList();
            await batch.Execute(ct);
            (membership, profile, own) = (await loadedMembership, await loadedProfile, await loadedMemories);
        }

        if (membership == null) return new RecommendationsView(null, []);
        var population = await ranks.CurrentAsync(ct);
        var global = new Evidence(population.RatedTurns, population.SuccessfulTurns);
        // The cluster's items, ranked once per count for all its members (the order does not depend on the user), the
        // user among them: they hold none of the candidates, and the peers are the members but them.
        var cluster = await counts.OfAsync(membership.ClusterId, async fresh =>
            fresh with { Ranked = Recommendations.Rank(fresh.Items, fresh.MembersTurns, global, await MeasuredAsync(), settings) }, ct);
        // What the user holds under any type, and what they erased themselves: nothing they said no to comes back.
        var held = own.Concat(profile?.RetractedKeys ?? []).ToHashSet(StringComparer.Ordinal);
        var items = Recommendations.Choose(cluster.Ranked, held, cluster.Members - 1, global,
            new Evidence(profile?.RatedTurns ?? 0, profile?.SuccessfulTurns ?? 0), settings);
        return new RecommendationsView(membership.ClusterId, items);
    }

    /// <summary>The lift each concluded experiment measured (the latest of each pattern): read only when a cluster is counted.</summary>
    private async Task<Dictionary<string, (Evidence Given, Evidence Withheld)>> MeasuredAsync()
    {
        // A session of its own: the count may outlive the request that started it.
        await using var session = store.QuerySession();
        return (await session.Query<Experiment>().Where(e => e.Status == ExperimentStatuses.Concluded).ToListAsync())
            .Where(e => e.Result != null).GroupBy(e => e.PatternId)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(e => e.ConcludedAt).First().Result!)
            .ToDictionary(m => m.Key, m => (new Evidence(m.Value.Treatment.RatedTurns, m.Value.Treatment.Successes),
                new Evidence(m.Value.Control.RatedTurns, m.Value.Control.Successes)));
    }
}
