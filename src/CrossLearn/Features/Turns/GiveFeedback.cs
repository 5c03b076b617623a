using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using CrossLearn.Hosting;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CrossLearn.Features.Turns;

/// <summary>Rate a turn; a later rating replaces the earlier one.</summary>
public sealed record GiveFeedback(bool? Success);

public sealed class GiveFeedbackValidator : AbstractValidator<GiveFeedback>
{
    public GiveFeedbackValidator() => RuleFor(x => x.Success).NotNull();
}

public static class GiveFeedbackEndpoint
{
    [WolverinePost("/api/turns/{turnId}/feedback")]
    [Authorize(Policy = Policies.SignedIn)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Post(
        Guid turnId, GiveFeedback command, ClaimsPrincipal principal, IDocumentSession session, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(principal);
        // A user rates their own turns: their stream is locked first and the turn read once, under the lock. An admin
        // or a service learns whose turn it is first (and reads it again under that user's lock).
        var owner = caller.ActsForOthers ? (await session.LoadAsync<Turn>(turnId, ct))?.UserId : caller.UserId;
        if (owner == null) return ProblemResponses.NotFound("turn");
        await session.LockUserStreamAsync(owner, ct);
        var turn = await session.LoadAsync<Turn>(turnId, ct);
        // Someone else's turn is reported exactly like a missing one: its existence is not leaked. Gone too if the user
        // was erased in between.
        if (turn == null || turn.UserId != owner) return ProblemResponses.NotFound("turn");
        if (turn.Success == command.Success) return Results.NoContent();

        // Saved by the generated code after this returns (AutoApplyTransactions), which also releases the lock.
        session.Events.Append(turn.UserId, new FeedbackGiven(turn.UserId, turnId, command.Success!.Value, turn.Success, time.GetUtcNow()));
        return Results.NoContent();
    }
}
