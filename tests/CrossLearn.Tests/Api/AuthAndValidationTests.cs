using System.Text;
using Alba;
using CrossLearn.Features.Turns;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;
using Marten;

namespace CrossLearn.Tests.Api;

public sealed class AuthenticationTests(AppFixture app) : IntegrationTest(app)
{
    public static TheoryData<string, string> SignedInEndpoints => new()
    {
        { "GET", "/api/me" }, { "GET", "/api/me/memories" }, { "GET", "/api/me/conversations" },
        { "POST", "/api/turns" }, { "POST", $"/api/turns/{Guid.NewGuid()}/feedback" }, { "DELETE", "/api/me/memories/preference/tea" }
    };

    private Task<IScenarioResult> CallAsync(string method, string url, string? authorization, int expected) =>
        Host.Scenario(s =>
        {
            if (method == "GET") s.Get.Url(url);
            else if (method == "DELETE") s.Delete.Url(url);
            else s.Post.Json(new { userMessage = "Hi", aiResponse = "Ok", success = true }).ToUrl(url);
            if (authorization != null) s.WithRequestHeader("Authorization", authorization);
            s.StatusCodeShouldBe(expected);
        });

    [Theory, MemberData(nameof(SignedInEndpoints))]
    public async Task Without_a_token_every_api_endpoint_is_401_problem_json(string method, string url) =>
        (await CallAsync(method, url, null, 401)).Problem();

    [Theory, MemberData(nameof(SignedInEndpoints))]
    public async Task A_token_signed_with_another_key_is_401(string method, string url)
    {
        var forged = TokenIssuer.Issue(new AuthSettings { SigningKey = "another-key-another-key-another-key-1234" }, "mallory", Roles.Admin,
            TimeSpan.FromHours(1), DateTimeOffset.UtcNow);
        await CallAsync(method, url, $"Bearer {forged}", 401);
    }

    [Fact]
    public async Task An_expired_token_is_401()
    {
        var expired = TokenIssuer.Issue(new AuthSettings { SigningKey = AppFixture.SigningKey }, "late", Roles.User,
            TimeSpan.FromMinutes(5), DateTimeOffset.UtcNow.AddHours(-1));
        (await CallAsync("GET", "/api/me", $"Bearer {expired}", 401)).Problem();
    }

    [Fact]
    public async Task A_token_with_alg_none_is_401()
    {
        static string Segment(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        var unsigned = $"{Segment("{\"alg\":\"none\",\"typ\":\"JWT\"}")}.{Segment($"{{\"sub\":\"eve\",\"role\":\"admin\",\"iss\":\"crosslearn\",\"aud\":\"crosslearn\",\"exp\":{exp}}}")}.";
        await CallAsync("GET", "/api/me", $"Bearer {unsigned}", 401);
    }

    [Fact]
    public async Task A_token_with_an_unknown_role_is_401()
    {
        var odd = App.TokenFor(NewUser(), "superuser");
        (await CallAsync("GET", "/api/me", $"Bearer {odd}", 401)).Problem();
    }

    /// <summary>A token signed with the service's own key, with whatever claims a test wants.</summary>
    private static string SignedToken(Dictionary<string, object> claims) =>
        new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = AuthSettings.Issuer, Audience = AuthSettings.Audience, Expires = DateTime.UtcNow.AddHours(1), Claims = claims,
            SigningCredentials = new(new AuthSettings { SigningKey = AppFixture.SigningKey }.Key(), Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256)
        });

    public static TheoryData<string> AdminEndpoints => new() { "/api/admin/analytics", "/api/admin/dead-letters", "/api/admin/users/someone/memories" };

    [Theory, MemberData(nameof(AdminEndpoints))]
    public async Task A_role_array_is_not_a_role_and_grants_nothing(string url)
    {
        var both = SignedToken(new() { ["sub"] = NewUser(), ["role"] = new[] { Roles.User, Roles.Admin } });
        (await CallAsync("GET", url, $"Bearer {both}", 401)).Problem();
        (await CallAsync("GET", "/api/me", $"Bearer {both}", 401)).Problem();
        var twoAdmins = SignedToken(new() { ["sub"] = NewUser(), ["role"] = new[] { Roles.Admin, Roles.Admin } });
        await CallAsync("GET", url, $"Bearer {twoAdmins}", 401);
        var none = SignedToken(new() { ["sub"] = NewUser() });
        await CallAsync("GET", "/api/me", $"Bearer {none}", 401);
        // The same claims as one plain string do what they say.
        await CallAsync("GET", url, $"Bearer {SignedToken(new() { ["sub"] = NewUser(), ["role"] = Roles.Admin })}", 200);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("tab\tin-id")]
    [InlineData("crosslearn:erasures")]
    [InlineData("LONG")]
    public async Task A_token_whose_sub_is_not_a_valid_user_id_is_401(string sub)
    {
        if (sub == "LONG") sub = new string('x', UserIds.MaxLength + 1);
        var token = SignedToken(new() { ["sub"] = sub, ["role"] = Roles.User });
        (await CallAsync("GET", "/api/me", $"Bearer {token}", 401)).Problem();
        await CallAsync("POST", "/api/turns", $"Bearer {token}", 401);
    }

    [Fact]
    public async Task Health_is_anonymous_and_reports_the_database()
    {
        var result = await App.GetAsync("/health", null);
        Assert.Contains("healthy", result.ReadAsText());
    }
}

public sealed class ValidationTests(AppFixture app) : IntegrationTest(app)
{
    public static TheoryData<string, string> InvalidTurns => new()
    {
        { """{"aiResponse":"Ok"}""", "userMessage" },
        { """{"userMessage":"   ","aiResponse":"Ok"}""", "userMessage" },
        { """{"userMessage":"Hi"}""", "aiResponse" },
        { $$"""{"userMessage":"{{new string('a', 16_001)}}","aiResponse":"Ok"}""", "userMessage" },
        { $$"""{"userMessage":"Hi","aiResponse":"{{new string('a', 64_001)}}"}""", "aiResponse" },
        { """{"userMessage":"I prefer \u0000 tea","aiResponse":"Ok"}""", "userMessage" },
        { """{"userMessage":"Hi","aiResponse":"Ok\u0000"}""", "aiResponse" },
        { """{"userMessage":"Hi","aiResponse":"Ok","conversationId":"has spaces"}""", "conversationId" },
        { $$"""{"userMessage":"Hi","aiResponse":"Ok","conversationId":"{{new string('c', 129)}}"}""", "conversationId" },
        { """{"userMessage":"Hi","aiResponse":"Ok","turnId":"00000000-0000-0000-0000-000000000000"}""", "turnId" },
    };

    private Task<IScenarioResult> PostRawAsync(string json, int expected, string url = "/api/turns") =>
        Host.Scenario(s =>
        {
            s.Post.Text(json).ToUrl(url);
            s.WithRequestHeader("Content-Type", "application/json");
            s.WithRequestHeader("Authorization", $"Bearer {App.TokenFor("validator")}");
            s.StatusCodeShouldBe(expected);
        });

    private async Task AssertNothingWrittenAsync()
    {
        await using var session = Store.QuerySession();
        Assert.Empty(await session.Events.FetchStreamAsync("validator"));
        Assert.Equal(0, await session.Query<Turn>().CountAsync());
    }

    [Theory, MemberData(nameof(InvalidTurns))]
    public async Task An_invalid_turn_is_400_naming_the_field_and_writes_nothing(string json, string field)
    {
        var problem = (await PostRawAsync(json, 400)).Problem();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        await AssertNothingWrittenAsync();
    }

    [Theory]
    [InlineData("""{"userMessage":"Hi","aiResponse":""")]
    [InlineData("""not json at all""")]
    [InlineData("""{"userMessage":5,"aiResponse":"Ok"}""")]
    [InlineData("""{"userMessage":"Hi","aiResponse":"Ok","turnId":"not-a-guid"}""")]
    [InlineData("""["userMessage"]""")]
    public async Task Malformed_json_or_wrong_types_are_400(string json)
    {
        (await PostRawAsync(json, 400)).Problem();
        await AssertNothingWrittenAsync();
    }

    [Fact]
    public async Task A_body_over_256_KB_is_413()
    {
        var huge = $$"""{"userMessage":"Hi","aiResponse":"{{new string('a', 300 * 1024)}}"}""";
        (await PostRawAsync(huge, 413)).Problem();
        await AssertNothingWrittenAsync();
    }

    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    [InlineData("ten")]
    public async Task A_bad_conversation_limit_is_400(string limit) =>
        (await App.GetAsync($"/api/me/conversations?limit={limit}", App.TokenFor("validator"), 400)).Problem();
}
