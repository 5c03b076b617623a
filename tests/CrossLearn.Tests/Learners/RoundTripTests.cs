using System.Diagnostics;
using Alba;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;

namespace CrossLearn.Tests.Learners;

/// <summary>
/// How many database commands one request makes (each is one round trip; Npgsql sends BEGIN with the first one, and
/// the commit is one more). Counted from Npgsql's own tracing, for the request's trace only, so the daemon's and the
/// watcher's background queries do not count.
/// </summary>
public sealed class RoundTripTests(AppFixture app) : IntegrationTest(app)
{
    [Fact]
    public async Task A_turn_of_a_known_user_is_one_lock_one_read_of_its_learner_and_one_append_without_looking_for_the_new_turn()
    {
        var user = NewUser();
        await App.PostTurnAsync(user, "Hello.");

        var commands = await CommandsOfAsync(traceparent => Host.Scenario(s =>
        {
            s.Post.Json(new { userMessage = "I prefer tea.", aiResponse = "Noted.", conversationId = "c1" }).ToUrl("/api/turns");
            s.WithRequestHeader("Authorization", $"Bearer {App.TokenFor(user)}");
            s.WithRequestHeader("traceparent", traceparent);
            s.StatusCodeShouldBe(201);
        }));

        // The turn is written by its batch (TurnWriter), whose commands join the request's trace: the batch's locks
        // (one batch of statements), the Learners, the documents Marten's inline projections update (conversation,
        // memory, profile: one query each, for the whole batch), then the append with every projection's writes. The
        // Learner read for the decision is the one the projection updates: not read twice. The new turn's document
        // cannot exist, so it is not looked for.
        Assert.InRange(commands.Count, 2, 6);
        Assert.DoesNotContain(commands, c => c.StartsWith("select d.id, d.data, d.mt_version from crosslearn.mt_doc_turn ", StringComparison.Ordinal));
        Assert.Contains("FOR UPDATE", commands[0], StringComparison.Ordinal);
        Assert.Single(commands, c => c.StartsWith("select d.id, d.data, d.mt_version from crosslearn.mt_doc_learner", StringComparison.Ordinal));
        Assert.Contains("mt_quick_append_events", commands[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_rating_reads_the_turn_from_the_write_model_only_and_patches_its_document()
    {
        var user = NewUser();
        var turn = await App.PostTurnAsync(user, "Hello.");

        var commands = await CommandsOfAsync(traceparent => Host.Scenario(s =>
        {
            s.Post.Json(new { success = true }).ToUrl($"/api/turns/{turn.TurnId}/feedback");
            s.WithRequestHeader("Authorization", $"Bearer {App.TokenFor(user)}");
            s.WithRequestHeader("traceparent", traceparent);
            s.StatusCodeShouldBe(204);
        }));

        // In its batch (TurnWriter): the locks, the Learner; the profile the projection updates; the append, with the
        // rating patched into the turn's document. The turn is read from the Learner, and its document not at all.
        Assert.InRange(commands.Count, 2, 4);
        Assert.Contains("FOR UPDATE", commands[0], StringComparison.Ordinal);
        Assert.StartsWith("select d.id, d.data, d.mt_version from crosslearn.mt_doc_learner", commands[1], StringComparison.Ordinal);
        Assert.DoesNotContain(commands, c => c.StartsWith("select d.id, d.data, d.mt_version from crosslearn.mt_doc_turn ", StringComparison.Ordinal));
    }

    /// <summary>
    /// The text of every Npgsql command of one request: the request carries a trace of its own (a W3C traceparent header;
    /// the in-memory test server does not flow the test's context), which ASP.NET Core continues and Npgsql's commands join.
    /// </summary>
    private static async Task<List<string>> CommandsOfAsync(Func<string, Task> request)
    {
        var trace = ActivityTraceId.CreateRandom();
        var commands = new List<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql" || source.Name == GroupCommitTelemetry.Name || source.Name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.Source.Name != "Npgsql" || activity.TraceId != trace) return;
                lock (commands) commands.Add(activity.GetTagItem("db.query.text") as string ?? activity.GetTagItem("db.statement") as string ?? activity.DisplayName);
            }
        };
        ActivitySource.AddActivityListener(listener);

        await request($"00-{trace}-{ActivitySpanId.CreateRandom()}-01");
        return commands;
    }
}
