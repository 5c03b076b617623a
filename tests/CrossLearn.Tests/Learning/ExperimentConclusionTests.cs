using CrossLearn.Features.Experiments;
using CrossLearn.Features.Learning;
using CrossLearn.Platform.Http;
using CrossLearn.Tests.Infrastructure;
using Marten;

namespace CrossLearn.Tests.Learning;

public sealed record ArmFiguresDto(int Users, int RatedTurns, int Successes, double? SuccessRate);
public sealed record ComparisonDto(ArmFiguresDto Treatment, ArmFiguresDto Control, double? Difference, double? Low, double? High);
public sealed record ExperimentReportDto(Guid ExperimentId, string Status, ComparisonDto Figures, string? Verdict);

/// <summary>
/// Ratings of turns answered with a context count for the arms; at the horizon (3 users and 6 rated turns an arm in the
/// tests, AppFixture) the watcher judges the experiment once, on the knowledge stream.
/// </summary>
public sealed class ExperimentConclusionTests(AppFixture app) : IntegrationTest(app)
{
    private string Admin => App.TokenFor("boss", Roles.Admin);

    private string UserIn(Guid experiment, string arm)
    {
        while (true)
        {
            var user = NewUser(arm);
            if (ExperimentArms.Of(experiment.ToString(), user, 0.5) == arm) return user;
        }
    }

    /// <summary>A turn answered with the user's context, then rated.</summary>
    private async Task<Guid> AnsweredAndRatedAsync(string user, bool success)
    {
        var context = await App.GetJsonAsync<ExperimentContextDto>("/api/me/context", App.TokenFor(user));
        var turnId = Guid.NewGuid();
        await App.PostJsonAsync("/api/turns", new { userMessage = "What do you suggest?", aiResponse = "Try this.", contextId = context.ContextId, turnId },
            App.TokenFor(user), 201);
        await App.PostJsonAsync($"/api/turns/{turnId}/feedback", new { success }, App.TokenFor(user), 204);
        return turnId;
    }

    private Task<ExperimentReportDto> ReportAsync(Guid id) => App.GetJsonAsync<ExperimentReportDto>($"/api/admin/experiments/{id}", Admin);

    [Fact]
    public async Task An_experiment_is_judged_once_at_its_horizon_from_the_arms_ratings_and_a_rebuild_keeps_it()
    {
        foreach (var holder in new[] { NewUser("h1"), NewUser("h2") }) await App.PostTurnAsync(holder, "I prefer dark mode.");
        await SettleAsync();
        var experiment = (await App.PostJsonAsync("/api/admin/experiments", new { type = "preference", key = "dark mode" }, Admin, 201))
            .ReadAsJson<ExperimentDto>()!.ExperimentId;

        var beforeAnyRating = DateTimeOffset.UtcNow;
        // Treatment: 5 of 6 rated turns succeed; control: 1 of 6. Two turns each for three users an arm.
        var treated = Enumerable.Range(0, 3).Select(_ => UserIn(experiment, ExperimentArms.Treatment)).ToList();
        var controls = Enumerable.Range(0, 3).Select(_ => UserIn(experiment, ExperimentArms.Control)).ToList();
        foreach (var (user, i) in treated.Select((u, i) => (u, i)))
        {
            await AnsweredAndRatedAsync(user, true);
            var second = await AnsweredAndRatedAsync(user, true);
            // Rated again: the re-rating replaces the first (still one rated turn, now a failure).
            if (i == 1) await App.PostJsonAsync($"/api/turns/{second}/feedback", new { success = false }, App.TokenFor(user), 204);
        }

        foreach (var (user, i) in controls.Select((u, i) => (u, i)))
        {
            await AnsweredAndRatedAsync(user, false);
            await AnsweredAndRatedAsync(user, i == 1);
        }

        var deadline = DateTime.UtcNow.AddSeconds(15);
        ExperimentReportDto report;
        while ((report = await ReportAsync(experiment)).Status == "running" && DateTime.UtcNow < deadline) await Task.Delay(100);

        Assert.Equal(("concluded", "better"), (report.Status, report.Verdict));
        Assert.Equal(new ArmFiguresDto(3, 6, 5, 5.0 / 6), report.Figures.Treatment);
        Assert.Equal(new ArmFiguresDto(3, 6, 1, 1.0 / 6), report.Figures.Control);
        Assert.Equal(4.0 / 6, report.Figures.Difference!.Value, 10);
        Assert.True(report.Figures.Low > 0, $"low {report.Figures.Low}");

        // Once: the knowledge stream holds one start and one verdict; a concluded experiment splits no one.
        await using (var session = Store.QuerySession())
        {
            var events = (await session.Events.FetchStreamAsync(KnowledgeStream.Key)).Select(e => e.Data.GetType().Name).ToList();
            Assert.Equal(["ExperimentStarted", "ExperimentConcluded"], events);
        }

        Assert.Empty((await App.GetJsonAsync<ExperimentContextDto>("/api/me/context", App.TokenFor(UserIn(experiment, ExperimentArms.Treatment)))).Experiments);

        // An audit reads it as it stood: running before the ratings, concluded with its figures now.
        var then = await App.GetJsonAsync<System.Text.Json.JsonElement>($"/api/admin/knowledge?at={Uri.EscapeDataString(beforeAnyRating.ToString("O"))}", Admin);
        Assert.Equal("running", then.GetProperty("experiments")[0].GetProperty("status").GetString());
        var now = (await App.GetJsonAsync<System.Text.Json.JsonElement>("/api/admin/knowledge", Admin)).GetProperty("experiments")[0];
        Assert.Equal(("concluded", "better", 5), (now.GetProperty("status").GetString(), now.GetProperty("verdict").GetString(),
            now.GetProperty("result").GetProperty("treatment").GetProperty("successes").GetInt32()));
        // The fold to now is the read model, field for field.
        await using (var live = Store.QuerySession())
        {
            var projected = System.Text.Json.JsonSerializer.Serialize(Assert.Single(await live.Query<Experiment>().ToListAsync()), ApiClient.Json);
            Assert.Equal(projected, now.GetRawText());
        }

        // A rebuild folds the same outcomes and the same experiment from the events.
        await SettleAsync();
        var before = await SnapshotAsync();
        Assert.Contains("\"Successes\":5", before["experiments"]);
        await App.PostJsonAsync("/api/admin/projections/rebuild", new { }, Admin, 200);
        await SettleAsync();
        var after = await SnapshotAsync();
        foreach (var (name, json) in before) Assert.True(json == after[name], $"{name} differs after the rebuild");

        // An erased user's outcomes go with them.
        await App.EraseUserAsync(treated[0]);
        await using var check = Store.QuerySession();
        Assert.Empty(await check.Query<ExperimentOutcome>().Where(o => o.UserId == treated[0]).ToListAsync());
        Assert.Equal(5, await check.Query<ExperimentOutcome>().CountAsync());
    }

    [Fact]
    public async Task Before_its_horizon_an_experiment_shows_its_figures_without_a_verdict()
    {
        foreach (var holder in new[] { NewUser("h1"), NewUser("h2") }) await App.PostTurnAsync(holder, "I prefer tea.");
        await SettleAsync();
        var experiment = (await App.PostJsonAsync("/api/admin/experiments", new { type = "preference", key = "tea" }, Admin, 201))
            .ReadAsJson<ExperimentDto>()!.ExperimentId;

        var user = UserIn(experiment, ExperimentArms.Treatment);
        await AnsweredAndRatedAsync(user, true);
        await AnsweredAndRatedAsync(user, false);
        await Task.Delay(500); // five watcher polls

        var report = await ReportAsync(experiment);
        Assert.Equal(("running", (string?)null), (report.Status, report.Verdict));
        Assert.Equal(new ArmFiguresDto(1, 2, 1, 0.5), report.Figures.Treatment);
        Assert.Null(report.Figures.Low);
    }
}
