using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;
using Marten;

namespace CrossLearn.Tests.Security;

/// <summary>A host with small limits, so that they can be reached in a test.</summary>
public sealed class LimitedAppFixture : AppFixture
{
    protected override IEnumerable<(string Key, string Value)> Settings() =>
    [
        ("RateLimits:Enabled", "true"), ("RateLimits:UserWritesPerMinute", "3"),
        ("RateLimits:ServiceWritesPerMinute", "6"), ("RateLimits:AnonymousRequestsPerMinute", "4")
    ];

    protected override bool RunsProjections => false;
}

[CollectionDefinition(Name)]
public sealed class LimitedCollection : ICollectionFixture<LimitedAppFixture>
{
    public const string Name = "limited";
}

[Collection(LimitedCollection.Name)]
public sealed class RateLimitTests(LimitedAppFixture app)
{
    [Fact]
    public async Task A_user_token_gets_429_with_retry_after_past_its_write_limit_but_reads_go_on()
    {
        var user = $"limited-{Guid.NewGuid():N}";
        for (var i = 0; i < 3; i++) await app.PostTurnAsync(user, $"Hello {i}");

        var rejected = await app.PostJsonAsync("/api/turns", new { userMessage = "One more", aiResponse = "Ok" }, app.TokenFor(user), 429);
        rejected.Problem();
        Assert.True(int.Parse(rejected.Context.Response.Headers.RetryAfter.ToString()) >= 1);

        await app.GetAsync("/api/me", app.TokenFor(user));
        // Another user has a bucket of their own.
        await app.PostTurnAsync($"limited-{Guid.NewGuid():N}", "Hello");
    }

    [Fact]
    public async Task A_service_token_has_a_larger_limit_of_its_own()
    {
        var service = app.TokenFor($"chat-app-{Guid.NewGuid():N}", Roles.Service);
        for (var i = 0; i < 6; i++)
            await app.PostJsonAsync("/api/turns", new { userMessage = "Hi", aiResponse = "Ok", userId = $"u{i}" }, service, 201);
        await app.PostJsonAsync("/api/turns", new { userMessage = "Hi", aiResponse = "Ok", userId = "u7" }, service, 429);
    }

    [Fact]
    public async Task Anonymous_calls_are_limited_per_address()
    {
        var statuses = new List<int>();
        for (var i = 0; i < 8; i++)
            statuses.Add((await app.Host.Scenario(s => { s.Get.Url("/health"); s.IgnoreStatusCode(); })).Context.Response.StatusCode);
        Assert.Contains(429, statuses);
        Assert.Equal(200, statuses[0]);
    }
}
