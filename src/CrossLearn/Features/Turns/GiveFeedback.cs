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
        var turn = await session.LoadAsync<Turn>(turnId, ct);
        // Someone else's turn is reported exactly like a missing one: its existence is not leaked.
        if (turn == null || (!caller.ActsForOthers && turn.UserId != caller.UserId)) return ProblemResponses.NotFound("turn");

        await session.LockUserStreamAsync(turn.UserId, ct);
        // Read again under the lock: the user may have been erased (and the turn with them) in between.
        turn = await session.LoadAsync<Turn>(turnId, ct);
        if (turn == null) return ProblemResponses.NotFound("turn");
        if (turn.Success == command.Success) return Results.NoContent();

        session.Events.Append(turn.UserId, new FeedbackGiven(turn.UserId, turnId, command.Success!.Value, turn.Success, time.GetUtcNow()));
        await session.SaveChangesAsync(ct);
        return Results.NoContent();
    }
}
