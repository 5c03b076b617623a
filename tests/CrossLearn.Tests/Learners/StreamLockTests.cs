using System.Text.Json;
using CrossLearn.Features.Learners;
using CrossLearn.Features.Learning;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace CrossLearn.Tests.Learners;

/// <summary>
/// The user's stream is the lock, and its write model (Learner) is what decisions read: not the read models, and not an
/// advisory lock of our own.
/// </summary>
public sealed class StreamLockTests(AppFixture app) : IntegrationTest(app)
{
    [Fact]
    public async Task Decisions_come_from_the_users_stream_not_from_the_read_models()
    {
        var user = NewUser();
        var first = await App.PostTurnAsync(user, "I prefer tea.");
        await App.PostJsonAsync($"/api/turns/{first.TurnId}/feedback", new { success = true }, App.TokenFor(user), 204);

        // The read models lose the user's memory and turn (as a half-done rebuild or a broken projection might leave them).
        await Sql.ExecuteAsync($"DELETE FROM {EventStore.Schema}.mt_doc_memory WHERE user_id = @user; " +
                           $"DELETE FROM {EventStore.Schema}.mt_doc_turn WHERE user_id = @user", user);

        // Said again, the preference is reinforced from what the stream holds, not learned anew.
        var again = await App.PostTurnAsync(user, "I prefer tea.");
        Assert.True(Assert.Single(again.Learned).Confidence > Assert.Single(first.Learned).Confidence);
        // The rating that is replaced is the one the stream holds.
        await App.PostJsonAsync($"/api/turns/{first.TurnId}/feedback", new { success = false }, App.TokenFor(user), 204);
        // A retry of the first turn is still recognised, and answered as the first time.
        var retried = await App.PostTurnAsync(user, "I prefer tea.", turnId: first.TurnId, conversationId: first.ConversationId);
        Assert.Equal((first.TurnId, first.ConversationId), (retried.TurnId, retried.ConversationId));

        var events = await Sql.EventsAsync(user);
        Assert.Equal(["TurnRecorded", "MemoryLearned", "FeedbackGiven", "TurnRecorded", "MemoryReinforced", "FeedbackGiven"],
            events.Select(e => e.Type));
        var replaced = events[^1].Data;
        Assert.Equal((false, true), (replaced.GetProperty("Success").GetBoolean(), replaced.GetProperty("PreviousSuccess").GetBoolean()));
    }

    [Fact]
    public async Task Refused_writes_to_a_user_without_a_stream_leave_no_stream_behind()
    {
        var user = NewUser();
        await App.PostJsonAsync($"/api/turns/{Guid.NewGuid()}/feedback", new { success = true }, App.TokenFor(user), 404);
        await App.DeleteAsync("/api/me/memories/preference/tea", App.TokenFor(user), 404);

        Assert.Equal(0L, await Sql.ScalarAsync($"SELECT count(*) FROM {EventStore.Schema}.mt_streams WHERE id = @user", user));
    }

    [Fact]
    public async Task A_rebuild_announced_keeps_background_readers_and_promotion_off_and_writers_go_on()
    {
        var user = NewUser();
        await App.PostTurnAsync(user, "Hello.");
        var database = Host.Services.GetRequiredService<NpgsqlDataSource>();
        Task aggregation;

        await using (await RebuildAnnouncement.AnnounceAsync(database, CancellationToken.None))
        {
            // Background readers stay away (they skip rather than read refilling read models); writers do not ask.
            Assert.Null(await RebuildAnnouncement.TryHoldOffAsync(database, CancellationToken.None));
            Assert.Equal("coffee", Assert.Single((await App.PostTurnAsync(user, "I prefer coffee.")).Learned).Key);
            // A promotion decision reads the patterns a rebuild refills: it waits for the rebuild's end.
            aggregation = App.PostJsonAsync("/api/admin/aggregate", new { }, App.TokenFor("boss", Roles.Admin), 200);
            await Task.Delay(500);
            Assert.False(aggregation.IsCompleted, "an aggregation decided while a rebuild ran");
        }

        await aggregation;

        await using (var shared = await RebuildAnnouncement.TryHoldOffAsync(database, CancellationToken.None)) Assert.NotNull(shared);
    }

    [Fact]
    public async Task A_new_users_first_turn_and_their_erasure_queue_on_the_streams_key()
    {
        var user = NewUser();
        Task<TurnResult> turn;
        Task erasure;
        // The stream does not exist yet: nothing to lock but its key, held here as a first writer would hold it.
        await using (var outside = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync()))
        {
            await outside.OpenAsync();
            await using var transaction = await outside.BeginTransactionAsync();
            await using (var hold = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@space, hashtext(@user))", outside, transaction))
            {
                hold.Parameters.AddWithValue("space", WriteLocks.NewStreamSpace);
                hold.Parameters.AddWithValue("user", user);
                await hold.ExecuteNonQueryAsync();
            }

            turn = App.PostTurnAsync(user, "I prefer oat milk.");
            erasure = App.EraseMeAsync(user);
            await Task.Delay(500);
            Assert.False(turn.IsCompleted, "a new user's first turn was decided while their stream's key was held");
            Assert.False(erasure.IsCompleted, "a new user was erased while their stream's key was held");
            await transaction.CommitAsync();
        }

        await Task.WhenAll(turn, erasure);
        // One after the other, in either order: all of the user's turn is there, or none of it.
        var events = await Sql.ScalarAsync($"SELECT count(*) FROM {EventStore.Schema}.mt_events WHERE stream_id = @user", user);
        var learners = await Sql.ScalarAsync($"SELECT count(*) FROM {EventStore.Schema}.mt_doc_learner WHERE id = @user", user);
        var memories = await Sql.ScalarAsync($"SELECT count(*) FROM {EventStore.Schema}.mt_doc_memory WHERE user_id = @user", user);
        Assert.True((events, learners, memories) is (0, 0, 0) or (2, 1, 1), $"half an erasure: {events} events, {learners} learners, {memories} memories");
    }

    [Fact]
    public async Task A_database_from_before_the_write_models_gets_them_at_start()
    {
        var user = NewUser();
        var first = await App.PostTurnAsync(user, "I prefer tea.");
        await App.PostJsonAsync($"/api/turns/{first.TurnId}/feedback", new { success = true }, App.TokenFor(user), 204);
        await using (var session = Store.LightweightSession())
        {
            session.Events.Append(KnowledgeStream.Key, new PatternPromoted("preference", "ghost", 5, 20, 1.0, DateTimeOffset.UtcNow));
            await session.SaveChangesAsync();
        }

        // What a database written before the write models existed holds: the events, and no Learner or KnowledgeBook.
        await Sql.ExecuteAsync($"DELETE FROM {EventStore.Schema}.mt_doc_learner; DELETE FROM {EventStore.Schema}.mt_doc_knowledgebook", user);
        // What the next start does inside its schema set-up (only that step: the rest of the set-up re-creates the
        // row-level policies, whose table locks under a running daemon made its agents restart twice now and then).
        Assert.Equal([typeof(Learner), typeof(KnowledgeBook)],
            await Host.Services.GetRequiredService<WriteModelBackfill>().RunAsync(CancellationToken.None));

        Assert.Equal(1L, await Sql.ScalarAsync($"SELECT count(*) FROM {EventStore.Schema}.mt_doc_learner WHERE id = @user", user));
        await using (var session = Store.QuerySession())
            Assert.Equal(["preference:ghost"], (await session.LoadAsync<KnowledgeBook>(KnowledgeStream.Key))!.Promoted.Values.Select(p => $"{p.Type}:{p.Key}"));
        // Decisions go on from the user's past: the retry is recognised, the preference reinforced, the rating replaced.
        var retried = await App.PostTurnAsync(user, "I prefer tea.", turnId: first.TurnId, conversationId: first.ConversationId);
        Assert.Equal((first.TurnId, first.ConversationId), (retried.TurnId, retried.ConversationId));
        var again = await App.PostTurnAsync(user, "I prefer tea.");
        Assert.True(Assert.Single(again.Learned).Confidence > Assert.Single(first.Learned).Confidence);
        await App.PostJsonAsync($"/api/turns/{first.TurnId}/feedback", new { success = false }, App.TokenFor(user), 204);
        var replaced = (await Sql.EventsAsync(user))[^1];
        Assert.Equal(("FeedbackGiven", true), (replaced.Type, replaced.Data.GetProperty("PreviousSuccess").GetBoolean()));
    }
}
