using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using CrossLearn.Features.Learners;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Sharding;
using CrossLearn.Platform.Storage;
using FluentValidation;
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
        Guid turnId, GiveFeedback command, ClaimsPrincipal principal, TurnWriter turns, ShardSessions sessions, CancellationToken ct)
    {
        var caller = Caller.From(principal);
        // A user rates their own turns. An admin or a service learns whose turn it is first, from the turns read model;
        // the owner's write model then decides, as for the owner, in the batch that locks the owner's stream.
        var owner = caller.ActsForOthers ? await OwnerOfAsync(sessions, turnId, ct) : caller.UserId;
        if (owner == null) return ProblemResponses.NotFound("turn");
        return await turns.RateAsync(new RatingToGive(owner, turnId, command.Success!.Value)) is RatingDecision.UnknownTurn
            ? ProblemResponses.NotFound("turn")
            : Results.NoContent();
    }

    /// <summary>Whose turn this is, from the turns read model of each shard database in turn (one, by default).</summary>
    private static async Task<string?> OwnerOfAsync(ShardSessions sessions, Guid turnId, CancellationToken ct)
    {
        foreach (var database in sessions.Map.Databases)
        {
            await using var session = sessions.Query(database);
            if ((await session.LoadAsync<Turn>(turnId, ct))?.UserId is { } owner) return owner;
        }

        return null;
    }
}

/// <summary>A rating of one of the user's turns, ready to be decided.</summary>
public sealed record RatingToGive(string UserId, Guid TurnId, bool Success) : TurnWrite(UserId);

/// <summary>What a rating comes to.</summary>
public abstract record RatingDecision : TurnWriteDecision
{
    /// <summary>The rating is new or replaces another: this event records it.</summary>
    public sealed record Give(FeedbackGiven Event) : RatingDecision;

    /// <summary>The turn holds this rating already: nothing to record.</summary>
    public sealed record Unchanged : RatingDecision;

    /// <summary>The user has no such turn (or was erased): reported like a missing turn, so another's is not leaked.</summary>
    public sealed record UnknownTurn : RatingDecision;
}

/// <summary>Decides a rating from the user's write model. Pure: the same rating, learner and moment give the same decision.</summary>
public static class RatingDecider
{
    public static RatingDecision Decide(RatingToGive rating, Learner? learner, DateTimeOffset now) =>
        learner?.Turns.GetValueOrDefault(rating.TurnId) is not { } turn ? new RatingDecision.UnknownTurn()
        : turn.Success == rating.Success ? new RatingDecision.Unchanged()
        : new RatingDecision.Give(new FeedbackGiven(rating.UserId, rating.TurnId, rating.Success, turn.Success, now, turn.Trials));
}
