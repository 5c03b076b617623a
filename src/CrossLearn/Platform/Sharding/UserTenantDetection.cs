using System.Security.Claims;
using CrossLearn.Platform.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Wolverine.Http.Runtime.MultiTenancy;

namespace CrossLearn.Platform.Sharding;

/// <summary>
/// Routes a request's Marten session (the one Wolverine injects) to the shard database of the user it is about: the
/// route's <c>{userId}</c> when it names one (an admin or a service reading a user), else the caller's own (the
/// token's sub). Null, Marten's default tenant, for users of the first database, so with one database every request
/// runs as before. An endpoint whose user is named in its body (<c>POST /api/turns</c> for a service) opens its
/// sessions itself (<see cref="ShardSessions"/>); cross-user reads gather over the databases themselves.
/// </summary>
public sealed class UserTenantDetection(ShardMap map) : ITenantDetection
{
    public const string RouteUser = "userId";

    public ValueTask<string?> DetectTenant(HttpContext context) => new(TenantOf(context));

    public string? TenantOf(HttpContext context)
    {
        var user = context.Request.RouteValues.TryGetValue(RouteUser, out var named) && named is string routed
            ? routed
            : context.User.FindFirstValue(JwtRegisteredClaimNames.Sub);
        // An invalid id is refused by the endpoint (400); its session is never used for it.
        return UserIds.IsValid(user) ? map.SessionTenantOfUser(user!) : null;
    }
}
