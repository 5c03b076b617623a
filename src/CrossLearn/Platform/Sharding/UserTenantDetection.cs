using System.Security.Claims;
using CrossLearn.Platform.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Wolverine.Http.Runtime.MultiTenancy;

namespace CrossLearn.Platform.Sharding;

/// <summary>
/// Routes a request's Marten session (the one Wolverine injects) to the shard database of the user it is about: the
/// route's <c>{userId}</c> when it names one (an admin or a service reading a user), the caller under
/// <see cref="OwnDataPath"/> (their own data), and otherwise the first database, which holds what is no user's
/// (knowledge, experiments, clusters; Marten's default tenant). Users of the first database get the default tenant
/// too, so with one database every request runs as before. An endpoint whose user is named in its body
/// (<c>POST /api/turns</c> for a service) opens its sessions itself (<see cref="ShardSessions"/>); one that reads a
/// user's data through <c>UserScopedReads</c> and shared data through its session says <c>[NotTenanted]</c>.
/// </summary>
public sealed class UserTenantDetection(ShardMap map) : ITenantDetection
{
    public const string RouteUser = "userId";

    /// <summary>Where the caller's own data is served (/api/me, /api/me/memories, ...).</summary>
    public const string OwnDataPath = "/api/me";

    public ValueTask<string?> DetectTenant(HttpContext context) => new(TenantOf(context));

    public string? TenantOf(HttpContext context)
    {
        var user = context.Request.RouteValues.TryGetValue(RouteUser, out var named) && named is string routed ? routed
            : context.Request.Path.StartsWithSegments(OwnDataPath) ? context.User.FindFirstValue(JwtRegisteredClaimNames.Sub)
            : null;
        // An invalid id is refused by the endpoint (400); its session is never used for it.
        return UserIds.IsValid(user) ? map.SessionTenantOfUser(user!) : null;
    }
}
