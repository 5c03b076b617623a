using System.Text.Json;
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
        await ExecuteAsync($"DELETE FROM {EventStore.Schema}.mt_doc_memory WHERE user_id = @user; " +
                           $"DELETE FROM {EventStore.Schema}.mt_doc_turn WHERE user_id = @user", user);

        // Said again, the preference is reinforced from what the stream holds, not learned anew.
        var again = await App.PostTurnAsync(user, "I prefer tea.");
        Assert.True(Assert.Single(again.Learned).Confidence > Assert.Single(first.Learned).Confidence);
        // The rating that is replaced is the one the stream holds.
        await App.PostJsonAsync($"/api/turns/{first.TurnId}/feedback", new { success = false }, App.TokenFor(user), 204);
        // A retry of the first turn is still recognised, and answered as the first time.
        var retried = await App.PostTurnAsync(user, "I prefer tea.", turnId: first.TurnId, conversationId: first.ConversationId);
        Assert.Equal((first.TurnId, first.ConversationId), (retried.TurnId, retried.ConversationId));

        var events = await EventsAsync(user);
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

        Assert.Equal(0L, await ScalarAsync($"SELECT count(*) FROM {EventStore.Schema}.mt_streams WHERE id = @user", user));
    }

    [Fact]
    public async Task Writers_wait_while_every_stream_is_held_and_are_recorded_after()
    {
        var user = NewUser();
        await App.PostTurnAsync(user, "Hello.");
        var database = Host.Services.GetRequiredService<NpgsqlDataSource>();

        Task<TurnResult> held;
        await using (await AllStreams.HoldAsync(database, CancellationToken.None))
        {
            // Background readers stay away from a holder (they skip rather than read refilling read models).
            Assert.Null(await AllStreams.TryShareAsync(database, CancellationToken.None));
            held = App.PostTurnAsync(user, "I prefer coffee.");
            await Task.Delay(500);
            Assert.False(held.IsCompleted, "a turn was decided while every stream was held");
        }

        Assert.Equal("coffee", Assert.Single((await held).Learned).Key);
        await using (var shared = await AllStreams.TryShareAsync(database, CancellationToken.None)) Assert.NotNull(shared);
    }

    private sealed record StoredEvent(string Type, JsonElement Data);

    private static async Task<List<StoredEvent>> EventsAsync(string user)
    {
        await using var connection = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT type, data::text FROM {EventStore.Schema}.mt_events WHERE stream_id = @user ORDER BY version", connection);
        command.Parameters.AddWithValue("user", user);
        await using var reader = await command.ExecuteReaderAsync();
        var events = new List<StoredEvent>();
        while (await reader.ReadAsync())
        {
            var type = string.Concat(reader.GetString(0).Split('_').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
            events.Add(new StoredEvent(type, JsonDocument.Parse(reader.GetString(1)).RootElement));
        }

        return events;
    }

    private static async Task ExecuteAsync(string sql, string user)
    {
        await using var connection = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("user", user);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(string sql, string user)
    {
        await using var connection = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("user", user);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
