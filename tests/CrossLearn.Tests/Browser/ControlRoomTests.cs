using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CrossLearn.Tests.Browser;

/// <summary>In the integration collection: its host runs the projections the browser's service node relies on.</summary>
[Collection(IntegrationCollection.Name)]
public sealed class ControlRoomTests(AppFixture app, ControlRoomFixture room) : IClassFixture<ControlRoomFixture>
{
    // The main test host must be up (it runs the projections); nothing else of it is used here.
    private readonly AppFixture _projections = app;

    private static readonly string[] Panels = ["profile", "memories", "conversations", "analytics", "global"];

    private static string NewUser(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

    /// <summary>With CROSSLEARN_SCREENSHOTS=1 the pictures in docs/images are refreshed.</summary>
    private static async Task KeepScreenshotAsync(ILocator locator, string name)
    {
        var bytes = await locator.ScreenshotAsync();
        Assert.True(bytes.Length > 1000);
        if (Environment.GetEnvironmentVariable("CROSSLEARN_SCREENSHOTS") == "1")
            await File.WriteAllBytesAsync(Path.Combine(Repository.Root(), "docs", "images", $"{name}.png"), bytes);
    }

    [Fact]
    public async Task A_user_signs_in_and_sees_five_panels_with_their_own_data_and_none_of_another()
    {
        var (alice, bob) = (NewUser("alice"), NewUser("bob"));
        var secret = $"secret{Guid.NewGuid():N}"[..16];
        await room.PostTurnAsync(bob, $"I prefer {secret} biscuits.");
        await room.PostTurnAsync(alice, "My name is Alice. I prefer oat milk. Never call me before 9am.");

        var page = await room.OpenAsync(room.TokenFor(alice));
        await Assertions.Expect(page.Locator("[data-testid=memory-row][data-key='oat milk']")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=profile-user]")).ToHaveTextAsync(alice);
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        foreach (var name in Panels)
        {
            var panel = page.Locator($"#panel-{name}");
            await Assertions.Expect(panel).ToBeVisibleAsync();
            await Assertions.Expect(panel.Locator(".body")).Not.ToBeEmptyAsync();
            await KeepScreenshotAsync(panel, $"panel-{name}");
        }

        await Assertions.Expect(page.Locator("#panel-conversations")).ToContainTextAsync("Never call me before 9am");
        await Assertions.Expect(page.Locator("#panel-analytics .bar")).ToHaveCountAsync(3);
        Assert.DoesNotContain(secret, await page.ContentAsync());
        Assert.DoesNotContain(bob, await page.ContentAsync());

        await page.Locator("[data-testid=memory-row][data-key='oat milk'] [data-why]").ClickAsync();
        await Assertions.Expect(page.Locator("#panel-memories .why").First).ToContainTextAsync("I prefer oat milk");
        await KeepScreenshotAsync(page.Locator("body"), "control-room");
    }

    [Fact]
    public async Task A_turn_posted_elsewhere_appears_without_a_reload_and_forget_removes_a_memory()
    {
        var user = NewUser("live");
        await room.PostTurnAsync(user, "Hello there.");
        var page = await room.OpenAsync(room.TokenFor(user));
        await Assertions.Expect(page.Locator("#panel-memories .empty")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live");

        // The stream's events carry the memory and the turn: the page draws them without reading them again.
        var asked = Requests(page);
        asked.Clear();
        await room.PostTurnAsync(user, "I always use dark mode.");
        var row = page.Locator("[data-testid=memory-row][data-key='dark mode']");
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#panel-conversations")).ToContainTextAsync("I always use dark mode.");
        await Assertions.Expect(row).ToContainTextAsync(Features.Memories.ExtractorVersion.Current);
        await page.WaitForTimeoutAsync(400);
        Assert.DoesNotContain(asked, url => url.Contains("/api/me/memories") || url.Contains("/api/me/conversations"));

        await row.Locator("[data-forget]").ClickAsync();
        await Assertions.Expect(row).ToHaveCountAsync(0);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{room.BaseUrl}/api/me/memories");
        request.Headers.Authorization = new("Bearer", room.TokenFor(user));
        Assert.Equal("[]", await (await room.Http.SendAsync(request)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_user_erases_their_account_only_after_typing_their_id()
    {
        var user = NewUser("erase");
        await room.PostTurnAsync(user, "I prefer erasable tea.");
        var page = await room.OpenAsync(room.TokenFor(user));
        await page.Locator("details.erase summary").ClickAsync();
        var button = page.Locator("[data-testid=erase-account]");
        await page.Locator("[data-testid=erase-confirm]").FillAsync("not-my-id");
        await Assertions.Expect(button).ToBeDisabledAsync();

        await page.Locator("[data-testid=erase-confirm]").FillAsync(user);
        await button.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=erase-result]")).ToHaveTextAsync("Erased.");
        await Assertions.Expect(page.Locator("#panel-memories .empty")).ToBeVisibleAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{room.BaseUrl}/api/me");
        request.Headers.Authorization = new("Bearer", room.TokenFor(user));
        Assert.Contains("\"interactionCount\":0", await (await room.Http.SendAsync(request)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_admin_aggregates_from_the_page_and_opens_another_user()
    {
        var user = NewUser("picked");
        await room.PostTurnAsync(user, "I prefer admin-visible tea.");
        var page = await room.OpenAsync(room.TokenFor(NewUser("admin"), Roles.Admin));
        await Assertions.Expect(page.Locator("#admin-bar")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#panel-population .histogram").First).ToBeVisibleAsync();

        await page.Locator("#aggregate").ClickAsync();
        await Assertions.Expect(page.Locator("#admin-result")).ToContainTextAsync("Aggregation done");

        // Re-extraction from the admin tools: started, progress and the end shown from the live feed.
        await page.Locator("#reextract").ClickAsync();
        await Assertions.Expect(page.Locator("#admin-result")).ToContainTextAsync("Re-extraction started");
        await Assertions.Expect(page.Locator("[data-testid=reextract-progress]")).ToContainTextAsync("Re-extraction done", new() { Timeout = 15_000 });

        await page.Locator("#picked-user").FillAsync(user);
        await page.Locator("#user-picker button[type=submit]").ClickAsync();
        var row = page.Locator("[data-testid=memory-row][data-key='admin-visible tea']");
        await Assertions.Expect(row).ToBeVisibleAsync();
        // Each memory shows what kind of thing it is and which rules produced it.
        await Assertions.Expect(row.Locator("[data-testid=memory-category]")).ToHaveTextAsync("drink");
        await Assertions.Expect(row.Locator("[data-testid=memory-version]")).ToHaveTextAsync(Features.Memories.ExtractorVersion.Current);
        await KeepScreenshotAsync(page.Locator("#admin-bar"), "admin-bar");
        await KeepScreenshotAsync(page.Locator("#panel-population"), "panel-population");
    }

    [Fact]
    public async Task An_admin_tests_a_pattern_from_the_page_and_watches_its_arms_interval_and_verdict()
    {
        foreach (var holder in new[] { NewUser("xh1"), NewUser("xh2") }) await room.PostTurnAsync(holder, "I prefer page-tested tea.");
        var admin = room.TokenFor(NewUser("admin"), Roles.Admin);
        var page = await room.OpenAsync(admin);

        // Started from the pattern's row once the pattern has its two holders (the list follows the live feed).
        var start = page.Locator("[data-testid=start-experiment][data-key='page-tested tea']");
        await Assertions.Expect(start).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await start.ClickAsync();
        var row = page.Locator("[data-testid=experiment-row][data-key='page-tested tea']");
        await Assertions.Expect(row.Locator("[data-testid=experiment-status]")).ToContainTextAsync("running");

        // Three users an arm answered with their contexts and rated (the tests' horizon: 3 users, 6 rated turns an arm).
        var experiment = (await room.SendAsync(HttpMethod.Get, "/api/admin/experiments", null, admin))!.Value
            .EnumerateArray().Single(x => x.GetProperty("key").GetString() == "page-tested tea").GetProperty("experimentId").GetString()!;
        foreach (var (arm, successes) in new[] { ("treatment", new[] { true, true, true, true, true, false }), ("control", new[] { false, false, true, false, false, false }) })
        {
            var users = new List<string>();
            while (users.Count < 3)
            {
                var user = NewUser(arm[..4]);
                if (Features.Experiments.ExperimentArms.Of(experiment, user, 0.5) == arm) users.Add(user);
            }

            for (var i = 0; i < successes.Length; i++)
            {
                var token = room.TokenFor(users[i / 2]);
                var context = (await room.SendAsync(HttpMethod.Get, "/api/me/context", null, token))!.Value;
                var turnId = Guid.NewGuid();
                await room.SendAsync(HttpMethod.Post, "/api/turns",
                    new { userMessage = "What now?", aiResponse = "This.", contextId = context.GetProperty("contextId").GetString(), turnId }, token);
                await room.SendAsync(HttpMethod.Post, $"/api/turns/{turnId}/feedback", new { success = successes[i] }, token);
            }
        }

        // Concluded by the watcher and redrawn from the live feed, without a reload.
        await Assertions.Expect(row.Locator("[data-testid=experiment-verdict]")).ToHaveTextAsync("better", new() { Timeout = 15_000 });
        await Assertions.Expect(row.Locator("[data-testid=experiment-status]")).ToHaveTextAsync("concluded");
        await Assertions.Expect(row.Locator("[data-testid=experiment-treatment]")).ToContainTextAsync("3 users · 6 rated · 83.3%");
        await Assertions.Expect(row.Locator("[data-testid=experiment-control]")).ToContainTextAsync("3 users · 6 rated · 16.7%");
        await Assertions.Expect(row.Locator("[data-testid=experiment-difference]")).ToHaveTextAsync("+66.7 pts");
        await Assertions.Expect(row.Locator(".interval .span")).ToBeVisibleAsync();
        await KeepScreenshotAsync(page.Locator("#panel-experiments"), "panel-experiments");
    }

    [Fact]
    public async Task A_user_sees_what_each_piece_of_knowledge_is_predicted_to_do_for_them()
    {
        // Five holders who succeed in 4 of 4 rated turns each: promoted within a second.
        foreach (var holder in Enumerable.Range(0, 5).Select(i => NewUser($"ph{i}")))
        {
            var token = room.TokenFor(holder);
            await room.PostTurnAsync(holder, "I prefer predicted lemonade.");
            for (var i = 0; i < 4; i++)
            {
                var turn = await room.PostTurnAsync(holder, "Thanks, that helps.");
                await room.SendAsync(HttpMethod.Post, $"/api/turns/{turn.TurnId}/feedback", new { success = true }, token);
            }
        }

        // Promoted by the seed's aggregation (not left to the watcher, whose cursor a previous run's data can be ahead of).
        await room.SendAsync(HttpMethod.Post, "/api/admin/aggregate", new { }, room.TokenFor(NewUser("admin"), Roles.Admin));
        var newcomer = NewUser("newcomer");
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await room.SendAsync(HttpMethod.Get, "/api/knowledge", null, room.TokenFor(newcomer)))!.Value.EnumerateArray()
               .All(k => k.GetProperty("key").GetString() != "predicted lemonade") && DateTime.UtcNow < deadline)
            await Task.Delay(200);

        // The context gives the highest ranked knowledge only (Context:MaxKnowledge), and other tests' knowledge can outrank
        // this: the page shows the prediction of an item the newcomer's context holds, the context's figure (which moves a
        // little with the population's ratings as tests run beside this one).
        var context = (await room.SendAsync(HttpMethod.Get, "/api/me/context", null, room.TokenFor(newcomer)))!.Value;
        var given = context.GetProperty("knowledge").EnumerateArray().ToList();
        var listed = (await room.SendAsync(HttpMethod.Get, "/api/knowledge", null, room.TokenFor(newcomer)))!.Value;
        Assert.True(given.Count > 0, $"the newcomer's context has no knowledge; /api/knowledge lists {listed.GetArrayLength()} items " +
                                     $"(lemonade: {listed.EnumerateArray().Any(k => k.GetProperty("key").GetString() == "predicted lemonade")}); context: {context}");
        var shown = given.FirstOrDefault(k => k.GetProperty("key").GetString() == "predicted lemonade", given[0]);
        var predicted = shown.GetProperty("predictedSuccess").GetDouble();

        var page = await room.OpenAsync(room.TokenFor(newcomer));
        var row = page.Locator("[data-testid=knowledge-row]")
            .Filter(new() { Has = page.Locator("td", new() { HasTextRegex = Exactly(shown.GetProperty("key").GetString()!) }) })
            .Filter(new() { Has = page.Locator(".badge", new() { HasTextRegex = Exactly(shown.GetProperty("type").GetString()!) }) });
        var cell = row.Locator("[data-testid=knowledge-predicted]");
        await Assertions.Expect(cell).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{1,3}(\.\d)?%$"));
        var shownPercent = double.Parse((await cell.TextContentAsync())!.TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(shownPercent, predicted * 100 - 5, predicted * 100 + 5);
    }

    [Fact]
    public async Task An_admin_clusters_users_from_the_page_and_a_user_sees_their_cluster_and_what_users_like_them_prefer()
    {
        // Keys of their own (letters only, as words are), so that these seven share what no other user holds.
        var tag = new string(Guid.NewGuid().ToString("N")[..6].Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16))).ToArray());
        var me = NewUser("liker");
        var peers = Enumerable.Range(0, 6).Select(i => NewUser($"peer{i}")).ToList();
        foreach (var user in peers.Append(me))
        {
            await room.PostTurnAsync(user, $"I prefer {tag} lemonade.");
            await room.PostTurnAsync(user, $"I prefer {tag} sonatas.");
        }

        foreach (var peer in peers) await room.PostTurnAsync(peer, $"I prefer {tag} kittens.");

        var admin = await room.OpenAsync(room.TokenFor(NewUser("admin"), Roles.Admin));
        await Assertions.Expect(admin.Locator("#panel-clusters")).ToBeVisibleAsync();
        await Assertions.Expect(admin.Locator("#connection")).ToHaveTextAsync("live");
        await admin.Locator("#cluster-now").ClickAsync();
        await Assertions.Expect(admin.Locator("#admin-result")).ToContainTextAsync("Clustering started");
        // The end comes from the live feed, and the chart is drawn again from it.
        await Assertions.Expect(admin.Locator("[data-testid=clustering-progress]")).ToContainTextAsync("Clustering done", new() { Timeout = 30_000 });
        var bars = admin.Locator("[data-testid=cluster-bar]");
        await Assertions.Expect(bars.First).ToBeVisibleAsync();
        Assert.Equal(await bars.CountAsync(), await admin.Locator("[data-testid=cluster-row]").CountAsync());
        await KeepScreenshotAsync(admin.Locator("#panel-clusters"), "panel-clusters");

        var page = await room.OpenAsync(room.TokenFor(me));
        await Assertions.Expect(page.Locator("#panel-cluster [data-testid=cluster-id]")).ToContainTextAsync("Cluster #");
        // "kittens" is learned as the key "cat".
        var recommended = page.Locator("[data-testid=recommendation]", new() { HasText = $"{tag} cat" });
        await Assertions.Expect(recommended).ToContainTextAsync("held by 6 of the");
        await KeepScreenshotAsync(page.Locator("#panel-cluster"), "panel-cluster");

        // Someone who only gave their name is in no cluster, and is told so.
        var loner = NewUser("loner");
        await room.PostTurnAsync(loner, "My name is Lone.");
        var alone = await room.OpenAsync(room.TokenFor(loner));
        await Assertions.Expect(alone.Locator("[data-testid=no-cluster]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_admin_watching_one_user_applies_only_that_users_events()
    {
        var (watched, other) = (NewUser("watched"), NewUser("other"));
        await room.PostTurnAsync(watched, "I prefer watched tea.");
        await room.PostTurnAsync(other, "Hello.");
        var page = await room.OpenAsync(room.TokenFor(NewUser("admin"), Roles.Admin));
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        await page.Locator("#picked-user").FillAsync(watched);
        await page.Locator("#user-picker button[type=submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=memory-row][data-key='watched tea']")).ToBeVisibleAsync();

        var asked = Requests(page);
        asked.Clear();
        var secret = $"unwatched{Guid.NewGuid():N}"[..18];
        await room.PostTurnAsync(other, $"I prefer {secret} coffee.");
        await room.PostTurnAsync(watched, "I prefer watched cocoa.");
        await Assertions.Expect(page.Locator("[data-testid=memory-row][data-key='watched cocoa']")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await page.WaitForTimeoutAsync(400);

        // The other user's turn changed nothing on the page and made it ask for nothing of theirs; the watched user's
        // memory came from the event, not from reading the memories again.
        Assert.DoesNotContain(secret, await page.ContentAsync());
        Assert.DoesNotContain(asked, url => url.Contains(other) || url.Contains("/memories"));
        Assert.Contains(asked, url => url.Contains($"/api/admin/users/{watched}/analytics"));
    }

    /// <summary>Every URL the page asks for from now on.</summary>
    private static System.Text.RegularExpressions.Regex Exactly(string text) =>
        new($"^{System.Text.RegularExpressions.Regex.Escape(text)}$");

    private static System.Collections.Concurrent.ConcurrentBag<string> Requests(IPage page)
    {
        var urls = new System.Collections.Concurrent.ConcurrentBag<string>();
        page.Request += (_, request) => urls.Add(request.Url);
        return urls;
    }

    [Fact]
    public async Task The_page_fits_a_phone_and_a_bad_token_is_explained_in_words()
    {
        var user = NewUser("phone");
        await room.PostTurnAsync(user, "I prefer small screens with extraordinarily-long-hyphenated-words-that-do-not-break-anywhere.");
        var page = await room.OpenAsync(room.TokenFor(user), width: 390, height: 844);
        await Assertions.Expect(page.Locator("[data-testid=memory-row]")).ToHaveCountAsync(1);
        var overflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth + 1");
        Assert.False(overflow);
        // Not the page, and not a table inside its panel either: nothing needs scrolling sideways.
        var scrolling = await page.EvaluateAsync<string[]>(
            "[...document.querySelectorAll('.table-wrap, .card, table')].filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.id || e.className || e.tagName)");
        Assert.Empty(scrolling);

        var refused = await room.OpenAsync("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad");
        await Assertions.Expect(refused.Locator("#sign-in-error")).ToContainTextAsync("refused");
    }
}
