using System.Security.Claims;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CrossLearn.Features.Profile;

public sealed record MeResponse(
    string UserId, string Role, int MemoryCount, int InteractionCount, DateTimeOffset? FirstSeenAt, DateTimeOffset? LastSeenAt)
{
    /// <summary>A caller with no profile yet (no turn) gets zeros.</summary>
    public static MeResponse From(Caller caller, UserProfile? profile) => new(caller.UserId, caller.Role,
        profile?.MemoryCount ?? 0, profile?.InteractionCount ?? 0, profile?.FirstSeenAt, profile?.LastSeenAt);
}

public static class GetMeEndpoint
{
    [WolverineGet("/api/me")]
    [Authorize(Policy = Policies.SignedIn)]
    public static async Task<MeResponse> Get(ClaimsPrincipal principal, UserScopedReads reads, CancellationToken ct)
    {
        var caller = Caller.From(principal);
        await using var scope = await reads.OpenAsync(caller.UserId, ct);
        var profile = await scope.Session.LoadAsync<UserProfile>(caller.UserId, ct);
        return MeResponse.From(caller, profile);
    }
}
