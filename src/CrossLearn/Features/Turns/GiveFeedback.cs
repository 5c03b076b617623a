using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using CrossLearn.Features.Learners;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
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
        // A user rates their own turns. An admin or a service learns whose turn it is first, from the turns read model;
        // the owner's write model then decides, as for the owner.
        var owner = caller.ActsForOthers ? (await session.LoadAsync<Turn>(turnId, ct))?.UserId : caller.UserId;
        if (owner == null) return ProblemResponses.NotFound("turn");
        // The owner's stream, locked until this request commits.
        var stream = await session.FetchForDecidingAsync<Learner>(owner, ct);
        // Someone else's turn is reported exactly like a missing one: its existence is not leaked. Gone too if the user
        // was erased in between.
        if (stream.Aggregate?.Turns.GetValueOrDefault(turnId) is not { } turn) return ProblemResponses.NotFound("turn");
        if (turn.Success == command.Success) return Results.NoContent();

        // Saved by the generated code after this returns (AutoApplyTransactions), which also releases the stream.
        stream.AppendOne(new FeedbackGiven(owner, turnId, command.Success!.Value, turn.Success, time.GetUtcNow()));
        return Results.NoContent();
    }
}
