using CrossLearn.Features.Admin;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Live;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Tests.Infrastructure;
using Npgsql;

namespace CrossLearn.Tests.Learning;

/// <summary>
/// Events the service cannot apply (a shape this version does not know, a body that does not deserialize) are
/// dead-lettered and skipped by the async projection and the live feed; everything else goes on being learned.
/// </summary>
public sealed class PoisonEventTests(AppFixture app) : IntegrationTest(app)
{
    public sealed record DeadLetterDto(string Projection, long EventSequence, string? EventType, string? StreamId, string Reason, DateTimeOffset RecordedAt);

    /// <summary>Stores an event behind the service's back, as a newer or broken writer would; returns its sequence.</summary>
    public static async Task<long> AppendRawEventAsync(string streamId, string type, string json) =>
        await RawEvents.AppendAsync(await TestDatabase.ConnectionStringAsync(), streamId, type, json);

    [Fact]
    public async Task Poison_events_are_dead_lettered_and_skipped_and_later_turns_are_still_learned()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var (poisoned, other1, other2) = (NewUser("poisoned"), NewUser(), NewUser());
        await App.PostTurnAsync(poisoned, "I prefer oat milk.");
        // A version this service does not know: a member it has never heard of.
        var unknownVersion = await AppendRawEventAsync(poisoned, "memory_learned", $$"""{"schemaVersion": 99, "topic": "{{marker}}"}""");
        // A body of the wrong shape: a turn id that is no guid, a rating that is no bool.
        var wrongShape = await AppendRawEventAsync(poisoned, "feedback_given",
            $$"""{"UserId": "{{poisoned}}", "TurnId": "{{marker}}", "Success": "very", "PreviousSuccess": null, "GivenAt": "2026-01-01T00:00:00Z"}""");
        // Fields it needs are missing.
        var incomplete = await AppendRawEventAsync(poisoned, "memory_learned", $$"""{"UserId": "{{poisoned}}", "Type": "preference", "Key": "{{marker}}"}""");

        // After the poison: the poisoned user and two others teach a pattern, and each rates a turn.
        foreach (var user in new[] { poisoned, other1, other2 }) await App.TeachAsync(user, "I prefer quokka mode.", true);
        await SettleAsync();

        var patterns = await App.GetJsonAsync<List<PatternDto>>("/api/patterns", App.TokenFor(other1));
        Assert.Equal((3, 1.0), patterns.Where(p => p.Key == "quokka mode").Select(p => (p.UserCount, p.SuccessRate)).Single());
        Assert.DoesNotContain(patterns, p => p.Key == marker);
        Assert.Equal(2, (await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(poisoned))).MemoryCount);

        var admin = App.TokenFor("boss", Roles.Admin);
        var response = await App.GetAsync("/api/admin/dead-letters", admin);
        Assert.DoesNotContain(marker, response.ReadAsText());
        var letters = response.ReadAsJson<List<DeadLetterDto>>()!;
        foreach (var (sequence, type) in new[] { (unknownVersion, "memory_learned"), (wrongShape, "feedback_given"), (incomplete, "memory_learned") })
        foreach (var projection in new[] { PatternProjection.Name, LiveFeedSubscription.SubscriptionName })
        {
            var letter = Assert.Single(letters, l => l.Projection == projection && l.EventSequence == sequence);
            Assert.Equal((type, poisoned), (letter.EventType, letter.StreamId));
            Assert.StartsWith("Marten.Exceptions.EventDeserializationFailureException: ", letter.Reason);
        }

        Assert.Equal(6, letters.Count(l => l.StreamId == poisoned));
        // An admin's view of the user at a past moment folds their events: it says why it cannot, instead of guessing.
        var pastMoment = await App.GetAsync($"/api/admin/users/{poisoned}/memories?at={Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"))}", admin, 409);
        Assert.Equal("Unreadable history", pastMoment.Problem().GetProperty("title").GetString());

        // A rebuild meets the poison in the middle of one batch of good events: the same read models come back.
        // Every projection rebuilt skips the poison (the inline ones too: live, they never saw it), each event once.
        var before = await SnapshotAsync();
        await App.PostJsonAsync("/api/admin/projections/rebuild", new { }, admin, 200);
        await SettleAsync();
        var after = await SnapshotAsync();
        foreach (var (name, json) in before) Assert.True(json == after[name], $"{name} differs after the rebuild");
        var rebuilt = (await App.GetJsonAsync<List<DeadLetterDto>>("/api/admin/dead-letters", admin)).Where(l => l.StreamId == poisoned).ToList();
        foreach (var l in rebuilt) Console.WriteLine($"after rebuild: {l.Projection} #{l.EventSequence} {l.EventType}");
        Assert.Subset(rebuilt.Select(l => (l.Projection, l.EventSequence)).ToHashSet(), letters.Select(l => (l.Projection, l.EventSequence)).ToHashSet());
        Assert.All(rebuilt, l => Assert.Contains(l.EventSequence, new[] { unknownVersion, wrongShape, incomplete }));
        Assert.Equal(rebuilt.Count, rebuilt.Select(l => (l.Projection, l.EventSequence)).Distinct().Count());
    }

    [Fact]
    public async Task An_event_naming_another_user_is_dead_lettered_by_the_pattern_projection_and_the_live_feed()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var (holder, victim, other) = (NewUser("holder"), NewUser("victim"), NewUser());
        await App.PostTurnAsync(holder, "I prefer oat milk.");
        // Well formed, but in the holder's stream it speaks for someone else: it cannot be attributed.
        var misplaced = await AppendRawEventAsync(holder, "memory_learned", $$"""
            {"UserId": "{{victim}}", "Type": "preference", "Key": "quokka mode", "Value": "{{marker}}", "Confidence": 0.9,
             "TurnId": "{{Guid.NewGuid()}}", "LearnedAt": "2026-01-01T00:00:00Z"}
            """);
        // Without a user at all: a live notification of it would go to everyone.
        var anonymous = await AppendRawEventAsync(holder, "memory_learned", $$"""
            {"UserId": null, "Type": "preference", "Key": "quokka mode", "Value": "{{marker}}", "Confidence": 0.9,
             "TurnId": "{{Guid.NewGuid()}}", "LearnedAt": "2026-01-01T00:00:00Z"}
            """);
        await App.TeachAsync(other, "I prefer quokka mode.", true);
        await SettleAsync();

        // Neither counted toward the pattern (one real holder is below the threshold of two), nor announced.
        Assert.DoesNotContain(await App.GetJsonAsync<List<PatternDto>>("/api/patterns", App.TokenFor(other)), p => p.Key == "quokka mode");
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM {EventStore.Schema}.live_feed WHERE payload::text LIKE '%' || @marker || '%'", marker));

        var letters = await App.GetJsonAsync<List<DeadLetterDto>>("/api/admin/dead-letters", App.TokenFor("boss", Roles.Admin));
        foreach (var projection in new[] { PatternProjection.Name, LiveFeedSubscription.SubscriptionName })
        {
            var letter = Assert.Single(letters, l => l.Projection == projection && l.EventSequence == misplaced);
            Assert.Equal(("memory_learned", holder), (letter.EventType, letter.StreamId));
            Assert.Equal($"{typeof(UnknownEventShapeException).FullName}: memory_learned #{misplaced} has a shape this version does not know: a user id other than its stream's.", letter.Reason);
            Assert.EndsWith("no user id.", Assert.Single(letters, l => l.Projection == projection && l.EventSequence == anonymous).Reason);
        }

        Assert.Equal(4, letters.Count(l => l.StreamId == holder));
    }

    [Fact]
    public async Task An_event_an_inline_projection_refuses_fails_the_whole_write_and_stores_nothing()
    {
        var (user, victim) = (NewUser(), NewUser("victim"));
        await App.PostTurnAsync(user, "I prefer oat milk.");
        var turnId = Guid.NewGuid();
        var now = DateTimeOffset.UtcNow;

        // One write: a turn and a memory that names someone else. The memory projection runs in the write
        // transaction and refuses the memory, so the turn must not be stored either.
        await using (var session = Store.LightweightSession())
        {
            session.Events.Append(user,
                new Features.Turns.TurnRecorded(user, turnId, "c1", "I prefer quokka mode.", "Noted.", now, []),
                new Features.Memories.MemoryLearned(victim, "preference", "quokka mode", "quokka mode", 0.9, turnId, now));
            var failure = await Assert.ThrowsAnyAsync<Exception>(() => session.SaveChangesAsync());
            Assert.Contains("a user id other than its stream's", failure.ToString());
        }

        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM {EventStore.Schema}.mt_events WHERE data::text LIKE '%' || @marker || '%'", turnId.ToString()));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM {EventStore.Schema}.mt_doc_turn WHERE id::text = @marker", turnId.ToString()));
        Assert.Equal(0, await CountAsync($"SELECT count(*) FROM {EventStore.Schema}.mt_doc_memory WHERE user_id = @marker", victim));
        var me = await App.GetJsonAsync<MeDto>("/api/me", App.TokenFor(user));
        Assert.Equal((1, 1), (me.InteractionCount, me.MemoryCount));
        // The user's next turn is recorded as usual.
        await App.PostTurnAsync(user, "I prefer quokka mode.");
    }

    private static async Task<long> CountAsync(string sql, string marker)
    {
        await using var connection = new NpgsqlConnection(await TestDatabase.ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("marker", marker);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
