using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Profile;
using CrossLearn.Features.Turns;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;
using Marten;
using Alba;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CrossLearn.Tests.Security;

public sealed class IsolationTests(AppFixture app) : IntegrationTest(app)
{
    [Fact]
    public async Task A_user_scoped_query_without_a_user_filter_still_sees_only_that_users_rows()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        await App.PostTurnAsync(alice, "I prefer tea.");
        await App.PostTurnAsync(bob, "I prefer coffee. I love jazz.");
        await SettleAsync();

        var reads = Host.Services.GetRequiredService<UserScopedReads>();
        await using var scope = await reads.OpenAsync(alice, CancellationToken.None);
        // Deliberately no Where(UserId == ...): row-level security does the filtering.
        Assert.Equal([alice], (await scope.Session.Query<Memory>().ToListAsync()).Select(m => m.UserId));
        Assert.Equal([alice], (await scope.Session.Query<Turn>().ToListAsync()).Select(t => t.UserId));
        Assert.Equal([alice], (await scope.Session.Query<Conversation>().ToListAsync()).Select(c => c.UserId));
        Assert.Equal([alice], (await scope.Session.Query<UserProfile>().ToListAsync()).Select(p => p.Id));
        Assert.Equal([alice], (await scope.Session.Query<PatternHolder>().ToListAsync()).Select(p => p.Id));
        Assert.Null(await scope.Session.LoadAsync<UserProfile>(bob));
    }

    [Fact]
    public async Task The_user_reader_role_cannot_write()
    {
        var user = NewUser();
        await App.PostTurnAsync(user, "I prefer tea.");
        var reads = Host.Services.GetRequiredService<UserScopedReads>();
        await using var scope = await reads.OpenAsync(user, CancellationToken.None);
        await using var command = new Npgsql.NpgsqlCommand($"DELETE FROM {EventStore.Schema}.mt_doc_memory", scope.Session.Connection);
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => command.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task A_connection_handed_back_by_a_user_scope_is_no_longer_restricted()
    {
        var user = NewUser();
        await App.PostTurnAsync(user, "I prefer tea.");
        await App.PostTurnAsync(NewUser(), "I prefer tea.");
        var reads = Host.Services.GetRequiredService<UserScopedReads>();
        await using (await reads.OpenAsync(user, CancellationToken.None)) { }

        await using var session = Store.QuerySession();
        Assert.Equal(2, await session.Query<Memory>().CountAsync());
    }

    /// <summary>Anonymous by design: health, the API documentation and the control room's static page (no data).</summary>
    private static bool PublicRoute(string route) =>
        route == "/health" || route.StartsWith("/openapi/") || route.StartsWith("/docs") || route.StartsWith("/admin/control-room");

    [Fact]
    public async Task The_api_documentation_is_public_and_describes_every_endpoint_and_the_bearer_scheme()
    {
        var document = System.Text.Json.JsonDocument.Parse((await App.GetAsync("/openapi/v1.json", null)).ReadAsText()).RootElement;
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var route in Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
                     .Select(e => e.RoutePattern.RawText!).Where(r => r.StartsWith("/api")))
            Assert.Contains(route, paths);
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer").GetProperty("scheme").GetString());
        // Endpoints that answer with IResult describe their responses too.
        var recordTurn = document.GetProperty("paths").GetProperty("/api/turns").GetProperty("post").GetProperty("responses");
        Assert.Contains("TurnRecordedResponse", recordTurn.GetProperty("201").ToString());
        Assert.True(recordTurn.TryGetProperty("409", out _));
        var conversations = document.GetProperty("paths").GetProperty("/api/me/conversations").GetProperty("get").GetProperty("responses");
        Assert.Contains("ConversationView", conversations.GetProperty("200").ToString());
        Assert.True(document.GetProperty("paths").GetProperty("/api/turns/{turnId}/feedback").GetProperty("post").GetProperty("responses").TryGetProperty("204", out _));
        await Host.Scenario(s => { s.Get.Url("/docs/"); s.StatusCodeShouldBeOk(); s.ContentTypeShouldBe("text/html"); });
    }

    [Fact]
    public async Task Every_endpoint_but_health_answers_401_problem_json_without_a_token()
    {
        var endpoints = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !PublicRoute(e.RoutePattern.RawText!))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (Method: m, Route: e.RoutePattern.RawText!)))
            .ToList();
        Assert.True(endpoints.Count >= 19, string.Join(", ", endpoints));
        foreach (var (method, route) in endpoints)
        {
            var url = System.Text.RegularExpressions.Regex.Replace(route, "{[^}]+}", Guid.NewGuid().ToString());
            var result = await Host.Scenario(s =>
            {
                s.ConfigureHttpContext(c => { c.Request.Method = method; c.Request.Path = url; });
                s.IgnoreStatusCode();
            });
            Assert.True(result.Context.Response.StatusCode == 401, $"{method} {route} answered {result.Context.Response.StatusCode}");
            result.Problem();
        }
    }

    [Fact]
    public void Every_endpoint_states_who_may_call_it_and_only_health_is_anonymous()
    {
        var endpoints = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/api") || e.RoutePattern.RawText == "/health").ToList();
        Assert.True(endpoints.Count >= 20, $"found {endpoints.Count} endpoints");
        foreach (var endpoint in endpoints)
        {
            var route = endpoint.RoutePattern.RawText!;
            var anonymous = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAllowAnonymous>() != null;
            var policies = endpoint.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()
                .Select(a => a.Policy).OfType<string>().ToList();
            if (route == "/health") Assert.True(anonymous, route);
            else
            {
                Assert.False(anonymous, $"{route} must not be anonymous");
                Assert.True(policies.Count > 0, $"{route} names no policy");
                Assert.Equal(route.StartsWith("/api/admin"), policies.Contains(Policies.Admin));
            }
        }
    }
}

public sealed class SigningKeyTests
{
    private static IConfiguration With(string? key) =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Auth:SigningKey"] = key }).Build();

    [Fact]
    public void Without_a_signing_key_the_service_refuses_to_start_with_a_clear_message()
    {
        var error = Assert.Throws<InvalidOperationException>(() => AuthSettings.Load(With(null)));
        Assert.Contains("Auth__SigningKey", error.Message);
    }

    [Fact]
    public void A_signing_key_shorter_than_32_bytes_is_refused() =>
        Assert.Throws<InvalidOperationException>(() => AuthSettings.Load(With("too-short-key")));

    [Fact]
    public void Production_has_no_default_key()
    {
        var production = Path.Combine(Repository.Root(), "src", "CrossLearn", "appsettings.json");
        Assert.DoesNotContain("SigningKey", File.ReadAllText(production));
    }
}

public sealed class ApiDocumentationSettingTests
{
    private static bool Enabled(string environment, string? setting) =>
        ApiDocumentation.IsEnabled(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [ApiDocumentation.EnabledSetting] = setting }).Build(),
            new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = environment });

    [Fact]
    public void In_production_anonymous_callers_get_no_api_documentation_unless_it_is_turned_on()
    {
        Assert.False(Enabled("Production", null));
        Assert.True(Enabled("Production", "true"));
        Assert.True(Enabled("Development", null));
        Assert.False(Enabled("Development", "false"));
    }
}
