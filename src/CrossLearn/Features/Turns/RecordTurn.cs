using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using CrossLearn.Features.Learners;
using CrossLearn.Features.Memories;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CrossLearn.Features.Turns;

/// <summary>Record one conversation turn and learn from the user's message.</summary>
public sealed record RecordTurn(string? UserMessage, string? AiResponse, string? ConversationId, Guid? TurnId, string? UserId);

public sealed record TurnRecordedResponse(Guid TurnId, string ConversationId, IReadOnlyList<MemoryLearning.Learned> Learned);

public sealed class RecordTurnValidator : AbstractValidator<RecordTurn>
{
    public const int MaxUserMessage = 16_000;
    public const int MaxAiResponse = 64_000;

    public RecordTurnValidator()
    {
        RuleFor(x => x.UserMessage).NotEmpty().MaximumLength(MaxUserMessage).Must(NoNul).WithMessage(NoNulMessage);
        RuleFor(x => x.AiResponse).NotEmpty().MaximumLength(MaxAiResponse).Must(NoNul).WithMessage(NoNulMessage);
        RuleFor(x => x.ConversationId!).ConversationId().When(x => x.ConversationId != null);
        RuleFor(x => x.TurnId).NotEqual(Guid.Empty).When(x => x.TurnId != null);
        RuleFor(x => x.UserId!).UserId().When(x => x.UserId != null);
    }

    // PostgreSQL's jsonb cannot store U+0000.
    private static bool NoNul(string? text) => text == null || !text.Contains('\0');
    private const string NoNulMessage = "'{PropertyName}' must not contain NUL characters.";
}

public static class IdentifierRules
{
    public const int MaxLength = 128;

    public static IRuleBuilderOptions<T, string> ConversationId<T>(this IRuleBuilder<T, string> rule) =>
        rule.NotEmpty().MaximumLength(MaxLength).Matches("^[A-Za-z0-9._:-]+$")
            .WithMessage("'{PropertyName}' may hold only letters, digits and . _ : - (at most 128).");

    public static IRuleBuilderOptions<T, string> UserId<T>(this IRuleBuilder<T, string> rule) =>
        rule.Must(UserIds.IsValid)
            .WithMessage($"'{{PropertyName}}' must be 1 to {UserIds.MaxLength} characters without control characters, not starting with '{UserIds.ReservedPrefix}'.");
}

public static class RecordTurnEndpoint
{
    [WolverinePost("/api/turns")]
    [Authorize(Policy = Policies.SignedIn)]
    [ProducesResponseType<TurnRecordedResponse>(StatusCodes.Status201Created)]
    [ProducesResponseType<TurnRecordedResponse>(StatusCodes.Status200OK, Description = "The same turn again (a retry): the first result")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status403Forbidden, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Post(
        RecordTurn command, ClaimsPrincipal principal, IDocumentSession session, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(principal);
        if (TargetUser(caller, command.UserId) is not { } userId)
            return caller.IsUser
                ? ProblemResponses.Result(StatusCodes.Status403Forbidden, "Forbidden", "A user may post turns only for themselves.")
                : ProblemResponses.Result(StatusCodes.Status400BadRequest, "Invalid request", "A service token must name the userId it posts for.");

        // The user's stream, locked until this request commits: one user's turns are decided one after the other, each
        // from what the ones before it left (Learner). The first turns of a new user queue on the stream's key instead
        // (StreamLock).
        var stream = await session.FetchForDecidingAsync<Learner>(userId, ct);
        var learner = stream.Aggregate ?? new Learner { Id = userId };
        var now = time.GetUtcNow();
        var turnId = command.TurnId ?? Guid.CreateVersion7(now);
        if (learner.Turns.TryGetValue(turnId, out var recorded))
            return await RepeatedAsync(session, command, userId, recorded, ct);
        // Turn ids are unique across users: another user's id is refused, never overwritten.
        if (command.TurnId != null && await session.LoadAsync<Turn>(turnId, ct) is not null) return UsedTurnId();

        var conversationId = command.ConversationId ?? Guid.CreateVersion7(now).ToString();
        var decision = MemoryLearning.Decide(userId, turnId, MemoryExtractor.Extract(command.UserMessage!),
            learner.Memories.Values, now, ExtractorVersion.Current);
        // Saved by the generated code after this returns (AutoApplyTransactions), which also releases the stream.
        stream.AppendMany([new TurnRecorded(userId, turnId, conversationId, command.UserMessage!, command.AiResponse!, now, decision.Learned),
            .. decision.Events]);

        return Created(new TurnRecordedResponse(turnId, conversationId, decision.Learned));
    }

    private static string? TargetUser(Caller caller, string? requested) => requested switch
    {
        null when caller.Role == Roles.Service => null,
        null => caller.UserId,
        _ when caller.ActsForOthers || requested == caller.UserId => requested,
        _ => null
    };

    /// <summary>A retry gets the first answer, read from the turn's own event; a different turn under a used id is a conflict.</summary>
    private static async Task<IResult> RepeatedAsync(
        IDocumentSession session, RecordTurn command, string userId, LearnerTurn recorded, CancellationToken ct)
    {
        var events = await session.Events.FetchStreamAsync(userId, version: recorded.Version, fromVersion: recorded.Version, token: ct);
        var first = events.Select(e => e.Data).OfType<TurnRecorded>().Single();
        var same = first.UserMessage == command.UserMessage
                   && first.AiResponse == command.AiResponse
                   && (command.ConversationId == null || command.ConversationId == first.ConversationId);
        return same ? Created(new TurnRecordedResponse(first.TurnId, first.ConversationId, first.Learned)) : UsedTurnId();
    }

    private static IResult UsedTurnId() =>
        ProblemResponses.Result(StatusCodes.Status409Conflict, "Turn id already used", "This turnId was recorded with different content.");

    private static IResult Created(TurnRecordedResponse response) =>
        Results.Json(response, statusCode: StatusCodes.Status201Created);
}
