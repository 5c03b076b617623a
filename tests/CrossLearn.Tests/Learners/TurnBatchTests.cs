using Microsoft.Extensions.DependencyInjection;
using CrossLearn.Platform.Sharding;
using System.Diagnostics;
using Alba;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Turns;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;
using Marten;
using Npgsql;

namespace CrossLearn.Tests.Learners;

/// <summary>
/// Group commit of turns and ratings (TurnWriter) on the real store: turns of many users written together keep each user's turns
/// in order, one turn id stays with one user, and a turn the database refuses fails alone. Where a test needs turns in
/// one batch for certain it builds a recorder of its own with a long window; the others go through HTTP.
/// </summary>
public sealed class TurnBatchTests(AppFixture app) : IntegrationTest(app)
{
    private const string TestTraceSource = "CrossLearn.Tests.TurnBatch";
    private static readonly ActivitySource TestTraces = new(TestTraceSource);

    private TurnWriter WriterWithOneBatchOf(int turns) => new(Host.Services.GetRequiredService<ShardSessions>(), TimeProvider.System,
        new TurnBatching(new GroupCommitSettings { MaxBatch = turns, WindowMicroseconds = 500_000, Writers = 1 }));

    private static TurnToRecord Turn(string user, string message, Guid? turnId = null)
    {
        var id = turnId ?? Guid.CreateVersion7();
        return new TurnToRecord(user, new RecordTurn(message, "Noted.", "c1", turnId, null), id, "c1", MemoryExtractor.Extract(message));
    }

    [Fact]
    public async Task Turns_of_many_users_posted_at_once_are_all_recorded_and_each_users_in_order()
    {
        var users = Enumerable.Range(0, 24).Select(_ => NewUser()).ToList();
        // Each user's first turns arrive together too: a new user's stream is started by one of them, the others follow.
        var posts = users.SelectMany(user => Enumerable.Range(0, 3).Select(_ => App.PostTurnAsync(user, "I prefer tea."))).ToList();
        await Task.WhenAll(posts);

        foreach (var user in users)
            Assert.Equal(["TurnRecorded", "MemoryLearned", "TurnRecorded", "MemoryReinforced", "TurnRecorded", "MemoryReinforced"],
                (await Sql.EventsAsync(user)).Select(e => e.Type));
    }

    [Fact]
    public async Task Ratings_share_a_batch_with_turns_and_a_rating_of_a_turn_in_the_same_batch_waits_for_the_next()
    {
        var (ana, ben) = (NewUser("ana"), NewUser("ben"));
        var rated = await App.PostTurnAsync(ana, "Hello.");
        await using var writer = WriterWithOneBatchOf(3);
        var newTurn = Turn(ben, "I prefer tea.", Guid.CreateVersion7());

        // Ana's rating and Ben's turn share a batch; the rating of Ben's turn, sent with it, is decided after it.
        var anasRating = writer.RateAsync(new RatingToGive(ana, rated.TurnId, true));
        var bensTurn = writer.RecordAsync(newTurn);
        var bensRating = writer.RateAsync(new RatingToGive(ben, newTurn.TurnId, false));

        Assert.IsType<RatingDecision.Give>(await anasRating);
        Assert.IsType<TurnDecision.Record>(await bensTurn);
        Assert.IsType<RatingDecision.Give>(await bensRating);
        Assert.IsType<RatingDecision.Unchanged>(await writer.RateAsync(new RatingToGive(ben, newTurn.TurnId, false)));
        Assert.IsType<RatingDecision.UnknownTurn>(await writer.RateAsync(new RatingToGive(NewUser("nobody"), newTurn.TurnId, true)));
        Assert.Equal(["TurnRecorded", "FeedbackGiven"], (await Sql.EventsAsync(ana)).Select(e => e.Type));
        Assert.Equal(["TurnRecorded", "MemoryLearned", "FeedbackGiven"], (await Sql.EventsAsync(ben)).Select(e => e.Type));
        Assert.Equal(0L, await Sql.ScalarAsync($"SELECT count(*) FROM {EventStore.Schema}.mt_streams WHERE id LIKE 'nobody-%'", ""));
    }

    [Fact]
    public async Task Two_users_sending_one_turn_id_in_one_batch_the_first_keeps_it_and_the_second_is_refused()
    {
        var (ana, ben) = (NewUser("ana"), NewUser("ben"));
        var turnId = Guid.CreateVersion7();
        await using var recorder = WriterWithOneBatchOf(2);

        var decisions = await Task.WhenAll(recorder.RecordAsync(Turn(ana, "I prefer tea.", turnId)), recorder.RecordAsync(Turn(ben, "I prefer coffee.", turnId)));

        Assert.IsType<TurnDecision.Record>(decisions[0]);
        Assert.IsType<TurnDecision.RefuseUsedId>(decisions[1]);
        await using var query = Store.QuerySession();
        Assert.Equal(ana, (await query.LoadAsync<Turn>(turnId))!.UserId);
        Assert.Empty(await Sql.EventsAsync(ben));
    }

    [Fact]
    public async Task Over_HTTP_one_turn_id_sent_by_two_users_at_once_is_recorded_once()
    {
        var (ana, ben) = (NewUser("ana"), NewUser("ben"));
        var turnId = Guid.CreateVersion7();

        var results = await Task.WhenAll(new[] { ana, ben }.Select(user => Host.Scenario(s =>
        {
            s.Post.Json(new { userMessage = "I prefer tea.", aiResponse = "Noted.", turnId }).ToUrl("/api/turns");
            s.WithRequestHeader("Authorization", $"Bearer {App.TokenFor(user)}");
            s.IgnoreStatusCode();
        })));

        var statuses = results.Select(r => r.Context.Response.StatusCode).ToList();
        Assert.Equal([201, 409], statuses.Order());
        var winner = statuses[0] == 201 ? ana : ben;
        await using var query = Store.QuerySession();
        Assert.Equal(winner, (await query.LoadAsync<Turn>(turnId))!.UserId);
        Assert.Equal(1L, await Sql.ScalarAsync($"SELECT count(*) FROM {EventStore.Schema}.mt_events WHERE data->>'TurnId' = @user AND type = 'turn_recorded'", turnId.ToString()));
    }

    [Fact]
    public async Task A_turn_the_database_refuses_fails_alone_and_the_rest_of_its_batch_is_recorded()
    {
        var (ana, poisoned, ben) = (NewUser("ana"), NewUser("poison"), NewUser("ben"));
        await App.PostTurnAsync(ana, "Hello.");
        await Sql.ExecuteAsync($"""
            CREATE OR REPLACE FUNCTION {EventStore.Schema}.test_refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.stream_id LIKE 'poison-%' THEN RAISE EXCEPTION 'this stream is poisoned'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER test_refuse_poison BEFORE INSERT ON {EventStore.Schema}.mt_events FOR EACH ROW EXECUTE FUNCTION {EventStore.Schema}.test_refuse_poison();
            """, "");
        try
        {
            await using var recorder = WriterWithOneBatchOf(3);
            var good1 = recorder.RecordAsync(Turn(ana, "I prefer tea."));
            var bad = recorder.RecordAsync(Turn(poisoned, "I prefer tea."));
            var good2 = recorder.RecordAsync(Turn(ben, "I prefer tea."));

            Assert.IsType<TurnDecision.Record>(await good1);
            Assert.IsType<TurnDecision.Record>(await good2);
            var error = await Assert.ThrowsAnyAsync<Exception>(() => bad);
            Assert.Contains("this stream is poisoned", (error.InnerException as PostgresException)?.MessageText ?? error.Message);
        }
        finally
        {
            await Sql.ExecuteAsync($"DROP TRIGGER test_refuse_poison ON {EventStore.Schema}.mt_events; DROP FUNCTION {EventStore.Schema}.test_refuse_poison()", "");
        }

        Assert.Equal(["TurnRecorded", "TurnRecorded", "MemoryLearned"], (await Sql.EventsAsync(ana)).Select(e => e.Type));
        Assert.Equal(["TurnRecorded", "MemoryLearned"], (await Sql.EventsAsync(ben)).Select(e => e.Type));
        Assert.Empty(await Sql.EventsAsync(poisoned));
        Assert.Equal(0L, await Sql.ScalarAsync($"SELECT count(*) FROM {EventStore.Schema}.mt_streams WHERE id = @user", poisoned));
    }

    [Fact]
    public async Task A_batch_of_eight_users_turns_makes_the_round_trips_of_one()
    {
        var users = Enumerable.Range(0, 8).Select(_ => NewUser()).ToList();
        foreach (var user in users) await App.PostTurnAsync(user, "Hello.");
        await using var recorder = WriterWithOneBatchOf(users.Count);
        var commands = new List<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Npgsql" || source.Name == TestTraceSource || source.Name == GroupCommitTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        using var trace = TestTraces.StartActivity("eight turns") ?? throw new InvalidOperationException("The test's trace was not started.");
        var traceId = trace.TraceId;
        listener.ActivityStopped = activity =>
        {
            if (activity.Source.Name == "Npgsql" && activity.TraceId == traceId) lock (commands) commands.Add(activity.DisplayName);
        };

        var decisions = await Task.WhenAll(users.Select((user, i) => recorder.RecordAsync(Turn(user, $"I prefer tea number {i}."))));

        Assert.All(decisions, d => Assert.IsType<TurnDecision.Record>(d));
        // The lock batch, the Learners, the four documents the inline projections update, the append: as for one turn.
        Assert.InRange(commands.Count, 2, 7);
    }
}
