using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Profile;
using CrossLearn.Features.Turns;
using CrossLearn.Hosting;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine;
using Wolverine.Http;

namespace CrossLearn.Features.Privacy;

/// <summary>Forget a user: their events, conversations, memories, analytics, and their part in every aggregate.</summary>
public sealed record EraseUser(string UserId, string RequestedByRole);

public sealed record ErasureResult(Guid ErasureId, int EventsRemoved, int PatternsTouched);

public static class EraseUserHandler
{
    /// <summary>How long erasure waits for the async daemon to subtract the user from the patterns.</summary>
    public static readonly TimeSpan DaemonWait = TimeSpan.FromSeconds(30);

    public static async Task<ErasureResult> Handle(
        EraseUser command, IDocumentStore store, NpgsqlDataSource database, IMessageBus bus, TimeProvider time, CancellationToken ct)
    {
        var userId = command.UserId;
        // Held across the steps below: no turn, rating or erase of this user can slip in between.
        await using var userLock = await WriteLocks.HoldUserStreamAsync(database, userId, ct);

        // 1. Let the pattern projection subtract the user from every pattern and success rate.
        IReadOnlyList<string> touched;
        await using (var session = store.LightweightSession())
        {
            touched = (await session.LoadAsync<PatternHolder>(userId, ct))?.Patterns.ToList() ?? [];
            session.Events.Append(userId, new UserErasureStarted(userId));
            await session.SaveChangesAsync(ct);
        }

        await WaitForPatternProjectionAsync(database, ct);

        // 2. Remove every trace: the stream and every document that names the user.
        int eventsRemoved;
        var erasure = new UserErased(Guid.CreateVersion7(time.GetUtcNow()), command.RequestedByRole, 0, touched.Count, time.GetUtcNow());
        await using (var session = store.LightweightSession())
        {
            await session.BeginTransactionAsync(ct);
            // Dead letters name events by sequence only: they go before the events do.
            await Admin.DeadLetters.DeleteForUserAsync(session.Connection!, userId, ct);
            eventsRemoved = await DeleteStreamAsync(session.Connection!, userId, ct);
            await Live.LiveFeed.DeleteForUserAsync(session.Connection!, userId, ct);
            session.DeleteWhere<Memory>(m => m.UserId == userId);
            session.DeleteWhere<Turn>(t => t.UserId == userId);
            session.DeleteWhere<Conversation>(c => c.UserId == userId);
            session.Delete<UserProfile>(userId);
            session.Delete<PatternHolder>(userId);
            erasure = erasure with { EventsRemoved = eventsRemoved };
            session.Events.Append(ErasureStream.Key, erasure);
            await session.SaveChangesAsync(ct);
        }

        // 3. Demote at once what no longer qualifies (the watcher would, within a second).
        if (touched.Count > 0) await bus.InvokeAsync<EvaluationResult>(new EvaluatePatterns(touched), ct);
        return new ErasureResult(erasure.ErasureId, eventsRemoved, touched.Count);
    }

    private static async Task<int> DeleteStreamAsync(NpgsqlConnection connection, string userId, CancellationToken ct)
    {
        await using var events = new NpgsqlCommand($"DELETE FROM {EventStore.Schema}.mt_events WHERE stream_id = @user", connection);
        events.Parameters.AddWithValue("user", userId);
        var removed = await events.ExecuteNonQueryAsync(ct);
        await using var stream = new NpgsqlCommand($"DELETE FROM {EventStore.Schema}.mt_streams WHERE id = @user", connection);
        stream.Parameters.AddWithValue("user", userId);
        await stream.ExecuteNonQueryAsync(ct);
        return removed;
    }

    private static async Task WaitForPatternProjectionAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        await using var target = database.CreateCommand($"SELECT coalesce(max(seq_id), 0) FROM {EventStore.Schema}.mt_events");
        var newest = (long)(await target.ExecuteScalarAsync(ct))!;
        var deadline = DateTime.UtcNow + DaemonWait;
        while (true)
        {
            await using var progress = database.CreateCommand(
                $"SELECT coalesce(max(last_seq_id), 0) FROM {EventStore.Schema}.mt_event_progression WHERE name = @name");
            progress.Parameters.AddWithValue("name", $"{PatternProjection.Name}:All");
            if ((long)(await progress.ExecuteScalarAsync(ct))! >= newest) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The pattern projection did not catch up; the erasure can be retried.");
            await Task.Delay(25, ct);
        }
    }
}

public static class EraseUserEndpoints
{
    [WolverineDelete("/api/me")]
    [Authorize(Policy = Policies.SignedIn)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    public static async Task<IResult> EraseMe(ClaimsPrincipal principal, IMessageBus bus, CancellationToken ct)
    {
        await bus.InvokeAsync<ErasureResult>(new EraseUser(Caller.From(principal).UserId, "self"), ct);
        return Results.NoContent();
    }

    [WolverineDelete("/api/admin/users/{userId}")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> EraseUser(string userId, IMessageBus bus, CancellationToken ct)
    {
        if (!UserIds.IsValid(userId)) return ProblemResponses.NotFound("user");
        await bus.InvokeAsync<ErasureResult>(new EraseUser(userId, Roles.Admin), ct);
        return Results.NoContent();
    }
}
