using CrossLearn.Features.Clusters;
using CrossLearn.Platform.Http;
using CrossLearn.Tests.Infrastructure;
using CrossLearn.Tests.Learning;
using Marten;

namespace CrossLearn.Tests.Clusters;

public sealed record ClusterSizeDto(int ClusterId, int Users);
public sealed record ClusteringRunDto(Guid RunId, string Status, string Algorithm, string RequestedBy, int Clusters, List<ClusterSizeDto> Sizes,
    int UsersClustered, int UsersChanged, int UsersUnclustered, int UsersWritten, int UsersToWrite);
public sealed record ClusterMembershipDto(int ClusterId, Guid RunId, DateTimeOffset Since);
public sealed record UserClusterDto(string UserId, int ClusterId, Guid RunId, DateTimeOffset Since);
public sealed record ClusterStandingDto(int ClusterId, PercentilesDto Percentiles, int Population);
public sealed record AnalyticsWithClusterDto(int MemoryCount, PercentilesDto Percentiles, int Population, ClusterStandingDto? Cluster);

/// <summary>An admin clusters users by what they taught; each user sees their own cluster; ids hold from run to run; erasure takes it.</summary>
public sealed class ClusterFlowTests(AppFixture app) : IntegrationTest(app)
{
    private string Admin => App.TokenFor("boss", Roles.Admin);

    private async Task<ClusteringRunDto> RunAsync()
    {
        var started = (await App.PostJsonAsync("/api/admin/clusters/runs", new { }, Admin, 202)).ReadAsJson<ClusteringRunDto>()!;
        Assert.Equal(("running", "boss", ClusteringParameters.Algorithm), (started.Status, started.RequestedBy, started.Algorithm));
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var latest = await App.GetJsonAsync<ClusteringRunDto>("/api/admin/clusters/runs/latest", Admin);
            if (latest.RunId == started.RunId && latest.Status == "completed") return latest;
            Assert.NotEqual("failed", latest.Status);
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"clustering {started.RunId} still {latest.Status}");
            await Task.Delay(50);
        }
    }

    private async Task<int> ClusterOfAsync(string user) =>
        (await App.GetJsonAsync<ClusterMembershipDto>("/api/me/cluster", App.TokenFor(user))).ClusterId;

    [Fact]
    public async Task Users_who_taught_alike_share_a_cluster_that_keeps_its_id_in_the_next_run_and_an_erased_user_leaves_it()
    {
        var drinkers = Enumerable.Range(0, 6).Select(i => NewUser($"tea{i}")).ToList();
        var coders = Enumerable.Range(0, 6).Select(i => NewUser($"code{i}")).ToList();
        foreach (var user in drinkers) { await App.PostTurnAsync(user, "I prefer tea."); await App.PostTurnAsync(user, "I prefer jazz."); }
        foreach (var user in coders) { await App.PostTurnAsync(user, "I prefer dark mode."); await App.PostTurnAsync(user, "I prefer sushi."); }
        var nameOnly = NewUser("ada");
        await App.PostTurnAsync(nameOnly, "My name is Ada.");
        await App.GetAsync("/api/me/cluster", App.TokenFor(drinkers[0]), 404);

        var beforeFirstRun = DateTimeOffset.UtcNow;
        var first = await RunAsync();
        Assert.Equal((2, 12, 12, 0), (first.Clusters, first.UsersClustered, first.UsersChanged, first.UsersUnclustered));
        Assert.Equal([6, 6], first.Sizes.Select(s => s.Users));
        var tea = await ClusterOfAsync(drinkers[0]);
        var code = await ClusterOfAsync(coders[0]);
        Assert.NotEqual(tea, code);
        foreach (var user in drinkers) Assert.Equal(tea, await ClusterOfAsync(user));
        foreach (var user in coders) Assert.Equal(code, await ClusterOfAsync(user));
        // Analytics: where the user stands in their cluster, beside the whole population.
        await App.PostTurnAsync(drinkers[1], "I love hiking.");
        var analytics = await App.GetJsonAsync<AnalyticsWithClusterDto>("/api/me/analytics", App.TokenFor(drinkers[1]));
        Assert.Equal((tea, 6), (analytics.Cluster!.ClusterId, analytics.Cluster.Population));
        // One more memory than the other five of the cluster (and than every other user: 13 in all).
        Assert.Equal((83.3, 13), (analytics.Cluster.Percentiles.MemoryCount, analytics.Population));
        Assert.Null((await App.GetJsonAsync<AnalyticsWithClusterDto>("/api/me/analytics", App.TokenFor(nameOnly))).Cluster);

        // Personal info takes no part: a user who only gave their name is in no cluster.
        (await App.GetAsync("/api/me/cluster", App.TokenFor(nameOnly), 404)).Problem();

        // An audit reads a user's cluster now and as it stood before the run (in none).
        var ofUser = App.GetJsonAsync<UserClusterDto>($"/api/admin/users/{drinkers[2]}/cluster", Admin);
        Assert.Equal((drinkers[2], tea), ((await ofUser).UserId, (await ofUser).ClusterId));
        var rightAfter = (await App.GetJsonAsync<UserClusterDto>($"/api/admin/users/{drinkers[2]}/cluster?at={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddSeconds(1).ToString("O"))}", Admin));
        Assert.Equal(tea, rightAfter.ClusterId);
        (await App.GetAsync($"/api/admin/users/{drinkers[2]}/cluster?at={Uri.EscapeDataString(beforeFirstRun.ToString("O"))}", Admin, 404)).Problem();
        (await App.GetAsync($"/api/admin/users/{drinkers[2]}/cluster?at=soon", Admin, 400)).Problem();
        await App.GetAsync($"/api/admin/users/{drinkers[2]}/cluster", App.TokenFor(drinkers[2]), 403);

        // Nothing changed: the same ids, nothing written.
        var second = await RunAsync();
        Assert.Equal((12, 0), (second.UsersClustered, second.UsersChanged));
        Assert.Equal(tea, await ClusterOfAsync(drinkers[1]));

        // Erased, a user is in no cluster at once; the next run counts the rest.
        await App.DeleteJsonAsync("/api/me", new { confirm = drinkers[0] }, App.TokenFor(drinkers[0]), 204);
        await using (var session = Store.QuerySession())
            Assert.Null(await session.LoadAsync<ClusterMembership>(drinkers[0]));
        var third = await RunAsync();
        Assert.Equal((11, 0, 0), (third.UsersClustered, third.UsersChanged, third.UsersUnclustered));
        Assert.Equal([5, 6], third.Sizes.OrderBy(s => s.Users).Select(s => s.Users));

        // Replayable: a rebuild gives every membership and run back as it was.
        await SettleAsync();
        var before = await SnapshotAsync();
        Assert.Contains(code.ToString(), before["cluster memberships"]);
        await App.PostJsonAsync("/api/admin/projections/rebuild", new { }, Admin, 200);
        await SettleAsync();
        var after = await SnapshotAsync();
        foreach (var (name, json) in before) Assert.True(json == after[name], $"{name} differs after the rebuild");
    }

    [Fact]
    public async Task Only_an_admin_starts_or_reads_a_clustering_and_a_user_reads_only_their_own_cluster()
    {
        var user = NewUser();
        (await App.PostJsonAsync("/api/admin/clusters/runs", new { }, App.TokenFor(user), 403)).Problem();
        await App.GetAsync("/api/admin/clusters/runs/latest", App.TokenFor(user), 403);
        (await App.GetAsync("/api/admin/clusters/runs/latest", Admin, 404)).Problem();
        await App.GetAsync("/api/me/cluster", null, 401);
    }

    [Fact]
    public async Task A_clustering_run_while_users_keep_talking_loses_no_turn_and_clusters_everyone()
    {
        var users = Enumerable.Range(0, 120).Select(i => NewUser(i % 2 == 0 ? "tea" : "code")).ToList();
        await users.InParallelAsync(8, async user =>
        {
            var tea = user.StartsWith("tea", StringComparison.Ordinal);
            await App.PostTurnAsync(user, tea ? "I prefer tea." : "I prefer dark mode.");
            await App.PostTurnAsync(user, tea ? "I prefer jazz." : "I prefer python.");
        });

        // The run writes each user's membership with their stream locked, as a turn does: turns wait, never fail.
        var started = (await App.PostJsonAsync("/api/admin/clusters/runs", new { }, Admin, 202)).ReadAsJson<ClusteringRunDto>()!;
        var talking = users.InParallelAsync(8, async user =>
        {
            for (var i = 0; i < 4; i++) await App.PostTurnAsync(user, i % 2 == 0 ? "Hello again." : "I prefer tea.");
        });
        ClusteringRunDto run;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((run = await App.GetJsonAsync<ClusteringRunDto>("/api/admin/clusters/runs/latest", Admin)).RunId != started.RunId || run.Status == "running")
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("clustering did not complete");
            await Task.Delay(20);
        }

        await talking;
        Assert.Equal(("completed", 120, 120), (run.Status, run.UsersClustered, run.UsersChanged));
        foreach (var user in users)
        {
            Assert.Equal(6, (await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(user))).InteractionCount);
            await App.GetJsonAsync<ClusterMembershipDto>("/api/me/cluster", App.TokenFor(user));
        }

        // Every stream holds its turns and one membership, in order, nothing lost or doubled; and turns were recorded
        // while the run wrote (else this would not test what it says).
        await using var session = Store.QuerySession();
        var written = (await session.Query<ClusteringRun>().SingleAsync(r => r.RunId == started.RunId));
        var during = 0;
        foreach (var user in users)
        {
            var events = await session.Events.FetchStreamAsync(user);
            Assert.Single(events, e => e.Data is UserClustered);
            Assert.Equal(Enumerable.Range(1, events.Count).Select(v => (long)v), events.Select(e => e.Version));
            during += events.Count(e => e.Data is Features.Turns.TurnRecorded && e.Timestamp >= written.AsOf && e.Timestamp <= written.CompletedAt);
        }

        Assert.True(during > 0, "no turn was recorded while the run was under way");
    }
}
