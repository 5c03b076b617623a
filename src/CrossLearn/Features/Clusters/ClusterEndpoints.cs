using CrossLearn.Platform.Sharding;
using System.Security.Claims;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using JasperFx.CommandLine;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;

namespace CrossLearn.Features.Clusters;

/// <summary>The caller's cluster: its id, the run that put them there, since when, its size (rounded) and its knowledge.</summary>
public sealed record ClusterMembershipView(int ClusterId, Guid RunId, DateTimeOffset Since, int Members, IReadOnlyList<ClusterKnowledgeView> Knowledge);

/// <summary>A user's cluster as an admin reads it: now, or as it stood at a moment.</summary>
public sealed record UserClusterView(string UserId, int ClusterId, Guid RunId, DateTimeOffset Since);

public static class ClusterEndpoints
{
    /// <summary>
    /// A user's cluster now, or at <paramref name="at"/> (folded from the user's own stream with the projection's Evolve:
    /// an audit's view of which cluster's knowledge and recommendations they were given then); 404 when in none.
    /// </summary>
    [WolverineGet("/api/admin/users/{userId}/cluster")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<UserClusterView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> OfUser(string userId, string? at, IQuerySession session, CancellationToken ct)
    {
        ClusterMembership? membership;
        if (at == null) membership = await session.LoadAsync<ClusterMembership>(userId, ct);
        else
        {
            var (moment, invalid) = StreamHistory.Moment(at, default);
            if (invalid != null) return invalid;
            var (events, unreadable) = await StreamHistory.FetchAsync(session, userId, moment!.Value, "This user's events", ct);
            if (unreadable != null) return unreadable;
            var projection = new ClusterMembershipProjection();
            membership = events!.Where(e => e.Data is UserClustered or UserUnclustered).Aggregate((ClusterMembership?)null, (m, e) => projection.Evolve(m, userId, e));
        }

        return membership is { } m ? Results.Json(new UserClusterView(userId, m.ClusterId, m.RunId, m.Since)) : ProblemResponses.NotFound("cluster for this user");
    }

    /// <summary>Starts a clustering run in the background: 202 with the run (poll GET .../runs/latest), 409 while one runs.</summary>
    [WolverinePost("/api/admin/clusters/runs")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<ClusteringRun>(StatusCodes.Status202Accepted)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Start(ClaimsPrincipal principal, ClusteringRunner runner, IHostApplicationLifetime lifetime)
    {
        var (started, running) = await runner.TryStartAsync(Caller.From(principal).UserId, lifetime.ApplicationStopping);
        if (started == null)
            return ProblemResponses.Result(StatusCodes.Status409Conflict, "A clustering is running",
                running == null ? "Another clustering is running; retry when it has finished."
                    : $"Clustering {running.RunId} is running: {running.UsersWritten} of {running.UsersToWrite} changed memberships written.");
        return Results.Json(started.Run, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>The latest run and its progress (counts only).</summary>
    [WolverineGet("/api/admin/clusters/runs/latest")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<ClusteringRun>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Latest(ClusteringRunner runner, CancellationToken ct) =>
        await runner.LatestAsync(running: false, ct) is { } run ? Results.Json(run) : ProblemResponses.NotFound("clustering run");

    /// <summary>The caller's own cluster; 404 when they are in none (nothing they taught is shared, or no run yet).</summary>
    // The membership is read through UserScopedReads (the user's shard database); the session reads the cluster's knowledge.
    [WolverineGet("/api/me/cluster")]
    [NotTenanted]
    [Authorize(Policy = Policies.SignedIn)]
    [ProducesResponseType<ClusterMembershipView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Mine(ClaimsPrincipal principal, UserScopedReads reads, IQuerySession session, ShardDataSources pools, CancellationToken ct)
    {
        var userId = Caller.From(principal).UserId;
        ClusterMembership? membership;
        await using (var scope = await reads.OpenAsync(userId, ct))
            membership = await scope.Session.LoadAsync<ClusterMembership>(userId, ct);
        if (membership is not { } m) return ProblemResponses.NotFound("cluster for this user");
        var members = (await ClusterPatterns.TotalsAsync(pools, m.ClusterId, ct)).SingleOrDefault()?.Members ?? 0;
        var knowledge = await ClusterKnowledgeEndpoints.OfClusterAsync(session, m.ClusterId, MaxKnowledgeShown, ct);
        return Results.Json(new ClusterMembershipView(m.ClusterId, m.RunId, m.Since, Recommendations.Rounded(members),
            [.. knowledge.Select(k => ClusterKnowledgeView.Of(k, rounded: true))]));
    }

    /// <summary>The cluster's knowledge a user's own view lists (the context takes Context:MaxClusterKnowledge of it).</summary>
    private const int MaxKnowledgeShown = 50;
}

/// <summary><c>dotnet run --project src/CrossLearn -- cluster</c>: runs a clustering to its end.</summary>
[Description("Group users by what they taught (k-means) and record each user's cluster", Name = "cluster")]
public sealed class ClusterCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var services = host.Services;
        try
        {
            var runner = services.GetRequiredService<ClusteringRunner>();
            var (started, running) = await runner.TryStartAsync($"cli:{Environment.UserName}", CancellationToken.None);
            if (started == null)
            {
                Console.Error.WriteLine($"A clustering is running elsewhere: {running?.RunId}.");
                return false;
            }

            Console.WriteLine($"Clustering {started.Run.RunId} as of {started.Run.AsOf:O}");
            await started.Completion;
            var done = await runner.LatestAsync(running: false, CancellationToken.None);
            Console.WriteLine($"Completed: {done?.Clusters} clusters over {done?.UsersClustered} users ({done?.UsersChanged} changed, " +
                              $"{done?.UsersUnclustered} left every cluster)");
            return true;
        }
        finally
        {
            if (services.GetService<IPrivateDatabase>() is { } embedded) await embedded.StopAsync();
        }
    }
}
