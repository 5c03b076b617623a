using Alba;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;
using CrossLearn.Tests.Learning;
using JasperFx.CommandLine;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Wolverine;

namespace CrossLearn.Tests.Live;

/// <summary>A second service instance on the same database that runs no projections (they run on the first).</summary>
public sealed class SecondNode : IAsyncLifetime
{
    public IAlbaHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await TestDatabase.ConnectionStringAsync();
        JasperFxEnvironment.AutoStartHost = true;
        Host = await AlbaHost.For<Program>(builder =>
        {
            builder.UseSetting("environment", "Testing");
            builder.UseSetting("RateLimits:Enabled", "false");
            builder.ConfigureServices(services =>
            {
                services.ConfigureWolverine(options => options.Durability.Mode = DurabilityMode.MediatorOnly);
                services.DisableAllExternalWolverineTransports();
            });
        });
    }

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

public sealed class LiveStreamTests(AppFixture app, SecondNode second) : IntegrationTest(app), IClassFixture<SecondNode>
{
    [Fact]
    public async Task A_user_hears_their_own_memory_within_a_second_and_nothing_of_another_user()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        await using var stream = await SseClient.ConnectAsync(Host, App.TokenFor(alice));
        Assert.Equal(("text/event-stream", 200), (stream.ContentType, stream.Status));

        await App.PostTurnAsync(bob, "I prefer bob-secret-tea.");
        await App.PostTurnAsync(alice, "I prefer oat milk.");

        var learned = await stream.WaitForAsync(e => e.Type == "memory.learned", TimeSpan.FromSeconds(5));
        Assert.Contains("oat milk", learned.Data);
        await stream.WaitForAsync(e => e.Type == "conversation.saved");
        await stream.WaitForAsync(e => e.Type == "analytics.updated");
        var all = await stream.DrainAsync(TimeSpan.FromMilliseconds(500));
        Assert.DoesNotContain(all, e => e.Data.Contains("bob-secret"));
    }

    [Fact]
    public async Task Users_hear_global_events_and_admins_hear_everyone()
    {
        var users = Enumerable.Range(0, 2).Select(i => NewUser($"g{i}")).ToList();
        await using var userStream = await SseClient.ConnectAsync(Host, App.TokenFor(users[0]));
        await using var adminStream = await SseClient.ConnectAsync(Host, App.TokenFor("root", Roles.Admin));
        var outsider = NewUser("outsider");
        await using var outsiderStream = await SseClient.ConnectAsync(Host, App.TokenFor(outsider));

        foreach (var user in users) await App.PostTurnAsync(user, "I prefer live mode.");

        await outsiderStream.WaitForAsync(e => e.Type == "pattern.changed" && e.Data.Contains("live mode"));
        await userStream.WaitForAsync(e => e.Type == "pattern.changed");
        await adminStream.WaitForAsync(e => e.Type == "memory.learned" && e.Data.Contains("live mode"));
        Assert.DoesNotContain(await outsiderStream.DrainAsync(TimeSpan.FromMilliseconds(300)), e => e.Type == "memory.learned");

        await App.PostJsonAsync("/api/admin/aggregate", new { }, App.TokenFor("root", Roles.Admin), 200);
        var completed = await outsiderStream.WaitForAsync(e => e.Type == "aggregation.completed");
        Assert.DoesNotContain("root", completed.Data);
    }

    [Fact]
    public async Task An_idle_stream_hears_no_pattern_again_when_no_figure_changed()
    {
        // Several patterns, then no new turns: each was announced when its figures changed, and never again.
        foreach (var topic in new[] { "storm tea", "storm coffee", "storm cocoa" })
        foreach (var user in Enumerable.Range(0, 2).Select(i => NewUser($"idle{i}")))
            await App.PostTurnAsync(user, $"I prefer {topic}.");
        await SettleAsync();
        await Task.Delay(1000);

        await using var stream = await SseClient.ConnectAsync(Host, App.TokenFor(NewUser()));
        var heard = await stream.DrainAsync(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(heard, e => e.Type == "pattern.changed");
    }

    [Fact]
    public async Task Knowledge_promotions_are_announced_to_everyone()
    {
        await using var stream = await SseClient.ConnectAsync(Host, App.TokenFor(NewUser()));
        foreach (var user in Enumerable.Range(0, 5).Select(i => NewUser($"p{i}")))
            await App.TeachAsync(user, "I prefer announced answers.", LearningScenario.Ratings(4, 0));
        var promoted = await stream.WaitForAsync(e => e.Type == "knowledge.promoted");
        Assert.Contains("announced answer", promoted.Data);
    }

    [Fact]
    public async Task An_experiment_started_and_stopped_is_announced_without_who_did_it()
    {
        foreach (var user in Enumerable.Range(0, 2).Select(i => NewUser($"x{i}"))) await App.PostTurnAsync(user, "I prefer announced tests.");
        await SettleAsync();
        await using var stream = await SseClient.ConnectAsync(Host, App.TokenFor(NewUser()));

        var admin = App.TokenFor("root", Roles.Admin);
        var id = (await App.PostJsonAsync("/api/admin/experiments", new { type = "preference", key = "announced test" }, admin, 201))
            .ReadAsJson<ExperimentDto>()!.ExperimentId;
        var started = await stream.WaitForAsync(e => e.Type == "experiment.started");
        Assert.Contains(id.ToString(), started.Data);
        Assert.DoesNotContain("root", started.Data);
        await App.PostJsonAsync($"/api/admin/experiments/{id}/stop", new { }, admin, 200);
        Assert.Contains(id.ToString(), (await stream.WaitForAsync(e => e.Type == "experiment.stopped")).Data);
    }

    [Fact]
    public async Task A_users_new_cluster_is_announced_to_them_and_the_runs_figures_without_who_asked()
    {
        var user = NewUser();
        foreach (var who in new[] { user, NewUser("peer") }) await App.PostTurnAsync(who, "I prefer announced clusters.");
        await using var stream = await SseClient.ConnectAsync(Host, App.TokenFor(user));

        var run = (await App.PostJsonAsync("/api/admin/clusters/runs", new { }, App.TokenFor("root", Roles.Admin), 202)).ReadAsJson<Clusters.ClusteringRunDto>()!;
        var changed = await stream.WaitForAsync(e => e.Type == "cluster.changed");
        Assert.Contains(run.RunId.ToString(), changed.Data);
        var completed = await stream.WaitForAsync(e => e.Type == "clustering.completed");
        Assert.Equal(2, System.Text.Json.JsonDocument.Parse(completed.Data).RootElement.GetProperty("usersClustered").GetInt32());
        Assert.DoesNotContain("root", completed.Data);
    }

    [Fact]
    public async Task A_clusters_new_knowledge_and_each_evaluation_are_announced_with_figures_only()
    {
        var holders = Enumerable.Range(0, 5).Select(i => NewUser($"k{i}")).ToList();
        foreach (var holder in holders) await App.TeachAsync(holder, "I prefer announced cluster tips.", Learning.LearningScenario.Ratings(4, 0));
        await using var stream = await SseClient.ConnectAsync(Host, App.TokenFor(NewUser()));

        await App.PostJsonAsync("/api/admin/clusters/runs", new { }, App.TokenFor("root", Roles.Admin), 202);
        var promoted = System.Text.Json.JsonDocument.Parse((await stream.WaitForAsync(e => e.Type == "cluster-knowledge.promoted")).Data).RootElement;
        Assert.Equal(("announced cluster tip", 5), (promoted.GetProperty("key").GetString(), promoted.GetProperty("userCount").GetInt32()));
        var evaluated = await stream.WaitForAsync(e => e.Type == "cluster-knowledge.evaluated");
        Assert.Equal(1, System.Text.Json.JsonDocument.Parse(evaluated.Data).RootElement.GetProperty("promoted").GetInt32());
        Assert.DoesNotContain("root", evaluated.Data);
        Assert.DoesNotContain(holders[0], promoted.GetRawText());
    }

    [Fact]
    public async Task Reconnecting_with_Last_Event_ID_delivers_what_was_missed()
    {
        var user = NewUser();
        long lastId;
        await using (var first = await SseClient.ConnectAsync(Host, App.TokenFor(user)))
        {
            await App.PostTurnAsync(user, "I prefer first things.");
            lastId = (await first.WaitForAsync(e => e.Type == "memory.learned")).Id;
        }

        await App.PostTurnAsync(user, "I prefer missed things.");
        await Task.Delay(1500); // the change happens while nobody listens

        await using var resumed = await SseClient.ConnectAsync(Host, App.TokenFor(user), lastEventId: lastId);
        var missed = await resumed.WaitForAsync(e => e.Type == "memory.learned");
        Assert.Contains("missed things", missed.Data);
        Assert.True(missed.Id > lastId);
    }

    [Fact]
    public async Task An_idle_stream_gets_heartbeats()
    {
        var before = Features.Live.StreamEndpoint.Heartbeat;
        Features.Live.StreamEndpoint.Heartbeat = TimeSpan.FromMilliseconds(200);
        try
        {
            using var client = Host.Server.CreateClient();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stream");
            request.Headers.Authorization = new("Bearer", App.TokenFor(NewUser()));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var heartbeats = 0;
            while (heartbeats < 2 && await reader.ReadLineAsync(timeout.Token) is { } line)
                if (line == ": heartbeat") heartbeats++;
            Assert.Equal(2, heartbeats);
        }
        finally
        {
            Features.Live.StreamEndpoint.Heartbeat = before;
        }
    }

    [Fact]
    public async Task The_token_may_come_in_the_query_on_the_stream_only()
    {
        var user = NewUser();
        await using var stream = await SseClient.ConnectAsync(Host, App.TokenFor(user), tokenInQuery: true);
        Assert.Equal(200, stream.Status);
        await App.GetAsync($"/api/me?access_token={App.TokenFor(user)}", null, 401);
        await using var anonymous = await SseClient.ConnectAsync(Host, "not-a-token");
        Assert.Equal(401, anonymous.Status);
    }

    [Fact]
    public async Task Two_service_instances_on_one_database_both_deliver_changes_made_through_the_other()
    {
        var (alice, bob) = (NewUser("node-a"), NewUser("node-b"));
        await using var onSecond = await SseClient.ConnectAsync(second.Host, App.TokenFor(alice));
        await using var onFirst = await SseClient.ConnectAsync(Host, App.TokenFor(bob));

        // Alice writes through the first node and listens on the second; Bob the other way round.
        await App.PostTurnAsync(alice, "I prefer node one.");
        await second.Host.Scenario(s =>
        {
            s.Post.Json(new { userMessage = "I prefer node two.", aiResponse = "Ok" }).ToUrl("/api/turns");
            s.WithRequestHeader("Authorization", $"Bearer {App.TokenFor(bob)}");
            s.StatusCodeShouldBe(201);
        });

        Assert.Contains("node one", (await onSecond.WaitForAsync(e => e.Type == "memory.learned")).Data);
        Assert.Contains("node two", (await onFirst.WaitForAsync(e => e.Type == "memory.learned")).Data);
    }
}
