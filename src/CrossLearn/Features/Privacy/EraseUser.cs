using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using CrossLearn.Features.Learners;
using CrossLearn.Features.Learning;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine;
using Wolverine.Http;

namespace CrossLearn.Features.Privacy;

/// <summary>Forget a user: their events, conversations, memories, analytics, and their part in every aggregate.</summary>
public sealed record EraseUser(string UserId, string RequestedByRole);

public sealed record ErasureResult(Guid ErasureId, int EventsRemoved, int PatternsTouched);

/// <summary>
/// The body an erasure must carry: the id of the account being erased, typed out. Erasure is the one call that
/// cannot be undone, so it is never the result of a mistyped or normalised path alone.
/// </summary>
public sealed record ErasureConfirmation(string? Confirm);

public static class EraseUserHandler
{
    /// <summary>
    /// One short transaction with the user's stream locked: every per-user trace goes, and the erasure's own stream records it
    /// with a marker for the cross-user consumers. The caller does not wait for them: the pattern projection subtracts
    /// the user when it reaches the marker (within about a second), and <see cref="ErasureCompletion"/> deletes the
    /// marker once every consumer has passed it. Nothing here waits on the async daemon, so a daemon held up by a
    /// sequence gap cannot turn an erasure into an outage.
    /// </summary>
    public static async Task<ErasureResult> Handle(
        EraseUser command, IDocumentSession session, IEnumerable<UserOwnedDocument> documents, IEnumerable<IUserDataEraser> erasers,
        TimeProvider time, CancellationToken ct)
    {
        var userId = command.UserId;
        var now = time.GetUtcNow();
        // The user's stream, locked until this commit: no turn, rating or other erasure of this user interleaves.
        await session.FetchForDecidingAsync<Learner>(userId, ct);
        var touched = (await session.LoadAsync<PatternHolder>(userId, ct))?.Patterns.Count ?? 0;

        var connection = session.Connection!;
        // Dead letters name events by sequence only: they go before the events do.
        await DeadLetterRecords.DeleteForStreamAsync(connection, userId, ct);
        var eventsRemoved = await DeleteStreamAsync(connection, userId, ct);
        // What modules keep of the user outside documents and events (the live feed's rows).
        foreach (var eraser in erasers) await eraser.EraseAsync(connection, userId, ct);
        // Every per-user document the modules registered (memories, turns, conversations, profile, the Learner). The
        // PatternHolder stays: the pattern projection needs it to subtract the user, and deletes it then.
        foreach (var document in documents.Where(d => d.ErasedWithUser)) session.QueueSqlCommand(document.DeleteRowsSql, userId);

        var erasure = new UserErased(Guid.CreateVersion7(now), command.RequestedByRole, eventsRemoved, touched, now);
        // A stream of its own per erasure: parallel erasures never meet on one stream's version.
        session.Events.StartStream(ErasureStream.For(erasure.ErasureId), new UserErasureStarted(userId), erasure);
        return new ErasureResult(erasure.ErasureId, eventsRemoved, touched);
    }

    private static async Task<int> DeleteStreamAsync(NpgsqlConnection connection, string userId, CancellationToken ct)
    {
        await using var events = new NpgsqlCommand($"DELETE FROM {StoreTables.Events} WHERE stream_id = @user", connection);
        events.Parameters.AddWithValue("user", userId);
        var removed = await events.ExecuteNonQueryAsync(ct);
        await using var stream = new NpgsqlCommand($"DELETE FROM {StoreTables.Streams} WHERE id = @user", connection);
        stream.Parameters.AddWithValue("user", userId);
        await stream.ExecuteNonQueryAsync(ct);
        return removed;
    }
}

public static class EraseUserEndpoints
{
    private static IResult? Unconfirmed(ErasureConfirmation? confirmation, string userId) =>
        confirmation?.Confirm == userId
            ? null
            : ProblemResponses.Result(StatusCodes.Status400BadRequest, "Confirmation required",
                "Erasing an account cannot be undone. Send the body {\"confirm\": \"<the user id being erased>\"}.");

    [WolverineDelete("/api/me")]
    [Authorize(Policy = Policies.SignedIn)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> EraseMe(ErasureConfirmation? confirmation, ClaimsPrincipal principal, IMessageBus bus, CancellationToken ct)
    {
        var userId = Caller.From(principal).UserId;
        if (Unconfirmed(confirmation, userId) is { } problem) return problem;
        await bus.InvokeAsync<ErasureResult>(new EraseUser(userId, "self"), ct);
        return Results.NoContent();
    }

    [WolverineDelete("/api/admin/users/{userId}")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> EraseUser(string userId, ErasureConfirmation? confirmation, IMessageBus bus, CancellationToken ct)
    {
        if (!UserIds.IsValid(userId)) return ProblemResponses.NotFound("user");
        if (Unconfirmed(confirmation, userId) is { } problem) return problem;
        await bus.InvokeAsync<ErasureResult>(new EraseUser(userId, Roles.Admin), ct);
        return Results.NoContent();
    }
}
