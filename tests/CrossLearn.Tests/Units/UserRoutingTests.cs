using System.Security.Claims;
using CrossLearn.Platform.Sharding;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;

namespace CrossLearn.Tests.Units;

/// <summary>
/// Which Marten tenant a user's session opens with (the tenant only picks the shard database), and which user a request
/// is about (the route's {userId}, else the caller).
/// </summary>
public sealed class UserRoutingTests
{
    private static readonly ShardMap TwoDatabases = new([
        new ShardDatabase { Name = "east", ConnectionString = "Host=e", Buckets = "0-511" },
        new ShardDatabase { Name = "west", ConnectionString = "Host=w", Buckets = "512-1023" }]);

    private static string UserIn(ShardMap map, string database) =>
        Enumerable.Range(0, 1000).Select(i => $"user-{i}").First(u => map.DatabaseOfUser(u).Name == database);

    [Fact]
    public void The_first_database_is_the_default_tenant_and_any_other_its_first_bucket()
    {
        Assert.Null(TwoDatabases.SessionTenantOf(TwoDatabases.Databases[0]));
        Assert.Equal("b0512", TwoDatabases.SessionTenantOf(TwoDatabases.Databases[1]));
        Assert.Null(TwoDatabases.SessionTenantOfUser(UserIn(TwoDatabases, "east")));
        Assert.Equal("b0512", TwoDatabases.SessionTenantOfUser(UserIn(TwoDatabases, "west")));
    }

    [Fact]
    public void With_one_database_every_session_is_the_default_tenant_s()
    {
        var one = new ShardMap([new ShardDatabase { Name = "shard-0", ConnectionString = "Host=h", Buckets = "0-1023" }]);

        Assert.All(Enumerable.Range(0, 200), i => Assert.Null(one.SessionTenantOfUser($"user-{i}")));
    }

    private static HttpContext Request(string? sub, string? routeUser, string path = "/api/me/memories")
    {
        var context = new DefaultHttpContext { Request = { Path = path } };
        if (sub != null) context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(JwtRegisteredClaimNames.Sub, sub)], "test"));
        if (routeUser != null) context.Request.RouteValues[UserTenantDetection.RouteUser] = routeUser;
        return context;
    }

    [Fact]
    public async Task A_request_goes_to_the_database_of_the_user_it_names_else_of_its_caller_for_their_own_data()
    {
        var detection = new UserTenantDetection(TwoDatabases);
        var (east, west) = (UserIn(TwoDatabases, "east"), UserIn(TwoDatabases, "west"));

        Assert.Equal("b0512", await detection.DetectTenant(Request(sub: west, routeUser: null)));
        Assert.Null(await detection.DetectTenant(Request(sub: east, routeUser: null)));
        // An admin (in east) reading a user of west: the route's user decides.
        Assert.Equal("b0512", await detection.DetectTenant(Request(sub: east, routeUser: west)));
        Assert.Null(await detection.DetectTenant(Request(sub: west, routeUser: east)));
        Assert.Equal("b0512", await detection.DetectTenant(Request(sub: west, routeUser: null, path: "/api/me")));
        // Shared data (knowledge, patterns, an admin's lists) is read in the first database, whoever asks.
        Assert.Null(await detection.DetectTenant(Request(sub: west, routeUser: null, path: "/api/knowledge")));
        Assert.Null(await detection.DetectTenant(Request(sub: west, routeUser: null, path: "/api/admin/experiments")));
        Assert.Null(await detection.DetectTenant(Request(sub: west, routeUser: null, path: "/api/meta")));
        Assert.Equal("b0512", await detection.DetectTenant(Request(sub: east, routeUser: west, path: "/api/admin/users/x/memories")));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("crosslearn:knowledge")]
    public async Task A_request_without_a_valid_user_goes_to_the_first_database(string? user)
    {
        var detection = new UserTenantDetection(TwoDatabases);

        Assert.Null(await detection.DetectTenant(Request(sub: user, routeUser: null)));
        Assert.Null(await detection.DetectTenant(Request(sub: null, routeUser: user)));
    }
}
