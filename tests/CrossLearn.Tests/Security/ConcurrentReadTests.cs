using CrossLearn.Tests.Infrastructure;

namespace CrossLearn.Tests.Security;

/// <summary>Per-user reads run on restricted connections that go back to the pool; many at once must stay correct.</summary>
public sealed class ConcurrentReadTests(AppFixture app) : IntegrationTest(app)
{
    [Fact]
    public async Task Many_parallel_reads_of_my_data_all_answer_and_never_mix_users()
    {
        var users = Enumerable.Range(0, 6).Select(i => NewUser($"reader{i}")).ToList();
        foreach (var user in users) await App.PostTurnAsync(user, $"I prefer {user} tea.");

        string[] paths = ["/api/me", "/api/me/memories", "/api/me/conversations", "/api/me/analytics", "/api/me/context", "/api/me/export"];
        var calls = Enumerable.Range(0, 240).Select(i => (User: users[i % users.Count], Path: paths[i / users.Count % paths.Length])).ToList();
        var bodies = await Task.WhenAll(calls.Select(async call =>
            (call.User, (await App.GetAsync(call.Path, App.TokenFor(call.User))).ReadAsText())));

        foreach (var (user, body) in bodies)
            Assert.DoesNotContain(users.Where(other => other != user), other => body.Contains(other));
    }
}
