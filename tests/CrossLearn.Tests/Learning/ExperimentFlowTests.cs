using CrossLearn.Features.Experiments;
using CrossLearn.Platform.Http;
using CrossLearn.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CrossLearn.Tests.Learning;

public sealed record ExperimentDto(Guid ExperimentId, string Type, string Key, double TreatmentShare, string Status, string StartedBy, string? StoppedBy);
public sealed record TrialKnowledgeDto(string Id, string Type, string Key, int UserCount, DateTimeOffset? PromotedAt, long Version, Guid? ExperimentId, string? Arm);
public sealed record ContextExperimentDto(Guid ExperimentId, string Type, string Key, string Arm);
public sealed record ExperimentContextDto(string ContextId, List<MemoryDto> Memories, List<TrialKnowledgeDto> Knowledge, List<ContextExperimentDto> Experiments);

/// <summary>Admins test a pattern: non-holders are split into arms, the treatment's context carries it, the control's withholds it.</summary>
public sealed class ExperimentFlowTests(AppFixture app) : IntegrationTest(app)
{
    private string Admin => App.TokenFor("boss", Roles.Admin);

    private async Task<ExperimentDto> StartAsync(object body) =>
        (await App.PostJsonAsync("/api/admin/experiments", body, Admin, 201)).ReadAsJson<ExperimentDto>()!;

    private Task<ExperimentContextDto> ContextAsync(string user) => App.GetJsonAsync<ExperimentContextDto>("/api/me/context", App.TokenFor(user));

    private async Task<string[]> HoldersAsync(string message, int count)
    {
        var holders = Enumerable.Range(0, count).Select(i => NewUser($"holder{i}")).ToArray();
        foreach (var holder in holders) await App.PostTurnAsync(holder, message);
        await SettleAsync();
        return holders;
    }

    private string UserIn(Guid experiment, string arm, double share = 0.5)
    {
        while (true)
        {
            var user = NewUser(arm);
            if (ExperimentArms.Of(experiment.ToString(), user, share) == arm) return user;
        }
    }

    [Fact]
    public async Task Treatment_gets_the_pattern_as_knowledge_control_does_not_and_a_turn_records_the_arm()
    {
        var holders = await HoldersAsync("I prefer dark mode.", 2);

        var experiment = await StartAsync(new { type = "preference", key = "dark mode", treatmentShare = 0.5 });
        Assert.Equal(("running", "boss", 0.5), (experiment.Status, experiment.StartedBy, experiment.TreatmentShare));

        var treated = await ContextAsync(UserIn(experiment.ExperimentId, ExperimentArms.Treatment));
        var trial = Assert.Single(treated.Knowledge);
        Assert.Equal(("dark mode", 2, (DateTimeOffset?)null, experiment.ExperimentId, "treatment"), (trial.Key, trial.UserCount, trial.PromotedAt, trial.ExperimentId, trial.Arm));
        Assert.Equal("treatment", Assert.Single(treated.Experiments).Arm);

        var controlUser = UserIn(experiment.ExperimentId, ExperimentArms.Control);
        var control = await ContextAsync(controlUser);
        Assert.Empty(control.Knowledge);
        Assert.Equal(new ContextExperimentDto(experiment.ExperimentId, "preference", "dark mode", "control"), Assert.Single(control.Experiments));

        // The control's turn names the withheld pattern with its arm: its rating counts for the control arm.
        await App.PostJsonAsync("/api/turns", new { userMessage = "Which theme?", aiResponse = "Any you like.", contextId = control.ContextId },
            App.TokenFor(controlUser), 201);
        var exposure = Assert.Single(Assert.Single(Assert.Single(
            await App.GetJsonAsync<List<ConversationDto>>("/api/me/conversations", App.TokenFor(controlUser))).Turns).GivenWith!.Items);
        Assert.Equal(("knowledge:preference:dark mode", "control"), (exposure.Id, exposure.Arm));

        // Holders taught it: they are not in the experiment.
        var holder = await ContextAsync(holders[0]);
        Assert.Empty(holder.Experiments);
        Assert.Empty(holder.Knowledge);

        // Stopped, it splits no one any more.
        var stopped = (await App.PostJsonAsync($"/api/admin/experiments/{experiment.ExperimentId}/stop", new { }, Admin, 200)).ReadAsJson<ExperimentDto>()!;
        Assert.Equal(("stopped", "boss"), (stopped.Status, stopped.StoppedBy));
        Assert.Empty((await ContextAsync(UserIn(experiment.ExperimentId, ExperimentArms.Treatment))).Knowledge);
        await App.PostJsonAsync($"/api/admin/experiments/{experiment.ExperimentId}/stop", new { }, Admin, 409);

        var listed = Assert.Single(await App.GetJsonAsync<List<ExperimentDto>>("/api/admin/experiments", Admin));
        Assert.Equal("stopped", listed.Status);
        Assert.Equal(experiment.ExperimentId, (await App.GetJsonAsync<ExperimentDto>($"/api/admin/experiments/{experiment.ExperimentId}", Admin)).ExperimentId);
    }

    [Fact]
    public async Task With_auto_start_on_a_pattern_reaching_the_promotion_threshold_is_tested_once_and_stays_stopped_once_an_admin_stops_it()
    {
        // The shared host's settings object, switched on for this test only (the collection's tests run one at a time).
        var settings = Host.Services.GetRequiredService<ExperimentSettings>();
        settings.AutoStart = true;
        try
        {
            await HoldersAsync("I prefer dark mode.", 4);
            Assert.Empty(await App.GetJsonAsync<List<ExperimentDto>>("/api/admin/experiments", Admin));

            // The fifth holder: unrated, so not promoted by the seed's rule, and tested instead.
            await HoldersAsync("I prefer dark mode.", 1);
            var started = Assert.Single(await App.GetJsonAsync<List<ExperimentDto>>("/api/admin/experiments", Admin));
            Assert.Equal(("dark mode", "running", ExperimentStarters.Automatic, settings.TreatmentShare),
                (started.Key, started.Status, started.StartedBy, started.TreatmentShare));
            var treated = await ContextAsync(UserIn(started.ExperimentId, ExperimentArms.Treatment, settings.TreatmentShare));
            Assert.Equal((started.ExperimentId, "treatment"), (Assert.Single(treated.Knowledge).ExperimentId, Assert.Single(treated.Knowledge).Arm));

            // Judged again as another holder arrives: still the one experiment.
            await HoldersAsync("I prefer dark mode.", 1);
            Assert.Equal(started.ExperimentId, Assert.Single(await App.GetJsonAsync<List<ExperimentDto>>("/api/admin/experiments", Admin)).ExperimentId);

            // An admin stopped it: the pattern's next change does not start it again.
            await App.PostJsonAsync($"/api/admin/experiments/{started.ExperimentId}/stop", new { }, Admin, 200);
            await HoldersAsync("I prefer dark mode.", 1);
            Assert.Equal("stopped", Assert.Single(await App.GetJsonAsync<List<ExperimentDto>>("/api/admin/experiments", Admin)).Status);
        }
        finally
        {
            settings.AutoStart = false;
        }
    }

    [Fact]
    public async Task A_user_who_said_the_opposite_is_not_in_the_experiment()
    {
        await HoldersAsync("I love jazz.", 2);
        var experiment = await StartAsync(new { type = "preference", key = "jazz" });

        var critic = UserIn(experiment.ExperimentId, ExperimentArms.Treatment);
        await App.PostTurnAsync(critic, "I hate jazz.");

        var context = await ContextAsync(critic);
        Assert.Empty(context.Experiments);
        Assert.Empty(context.Knowledge);
    }

    [Fact]
    public async Task Requests_that_cannot_start_or_stop_an_experiment_are_refused_with_problems_and_change_nothing()
    {
        await HoldersAsync("I prefer tea.", 2);
        await StartAsync(new { type = "preference", key = "tea" });

        Assert.Equal(409, (await App.PostJsonAsync("/api/admin/experiments", new { type = "preference", key = "tea" }, Admin, 409)).Problem().GetProperty("status").GetInt32());
        Assert.Contains("No user holds", (await App.PostJsonAsync("/api/admin/experiments", new { type = "preference", key = "nothing" }, Admin, 404)).Problem().ToString());
        var invalid = (await App.PostJsonAsync("/api/admin/experiments", new { type = "personal_info", key = "name", treatmentShare = 1.5 }, Admin, 400)).Problem();
        Assert.True(invalid.GetProperty("errors").TryGetProperty("type", out _));
        Assert.True(invalid.GetProperty("errors").TryGetProperty("treatmentShare", out _));
        await App.PostJsonAsync("/api/admin/experiments", new { type = "preference", key = "coffee" }, App.TokenFor(NewUser()), 403);
        await App.PostJsonAsync($"/api/admin/experiments/{Guid.NewGuid()}/stop", new { }, Admin, 404);
        await App.GetAsync($"/api/admin/experiments/{Guid.NewGuid()}", Admin, 404);

        Assert.Single(await App.GetJsonAsync<List<ExperimentDto>>("/api/admin/experiments", Admin));
    }
}
