using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using CrossLearn.Features.Memories;
using CrossLearn.Hosting;
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

        var turnId = command.TurnId ?? Guid.CreateVersion7(time.GetUtcNow());
        if (command.TurnId != null && await RepeatedTurnAsync(session, command, userId, turnId, ct) is { } repeated)
            return repeated;

        // The lock and the user's memories in one round trip.
        var held = await session.LockUserStreamAndReadAsync<Memory>(userId, HeldMemoriesSql, ct);
        // Checked again under the lock: two retries of the same turn may have raced here.
        if (command.TurnId != null && await RepeatedTurnAsync(session, command, userId, turnId, ct) is { } raced)
            return raced;

        var now = time.GetUtcNow();
        var conversationId = command.ConversationId ?? Guid.CreateVersion7(now).ToString();

        var decision = MemoryLearning.Decide(userId, turnId, MemoryExtractor.Extract(command.UserMessage!),
            held.ToDictionary(m => (m.Type, m.Key)), now, ExtractorVersion.Current);
        var recorded = new TurnRecorded(userId, turnId, conversationId, command.UserMessage!, command.AiResponse!, now, decision.Learned);
        // Saved by the generated code after this returns (AutoApplyTransactions), which also releases the lock.
        session.Events.Append(userId, [recorded, .. decision.Events]);

        return Created(new TurnRecordedResponse(turnId, conversationId, decision.Learned));
    }

    // The user's memories (Memory.UserId is a duplicated column, see Hosting/EventStore.cs).
    private static readonly string HeldMemoriesSql = $"SELECT data FROM {EventStore.Schema}.mt_doc_memory WHERE user_id = @user";

    private static string? TargetUser(Caller caller, string? requested) => requested switch
    {
        null when caller.Role == Roles.Service => null,
        null => caller.UserId,
        _ when caller.ActsForOthers || requested == caller.UserId => requested,
        _ => null
    };

    /// <summary>A retry gets the first answer; a different turn under a used id is a conflict.</summary>
    private static async Task<IResult?> RepeatedTurnAsync(
        IDocumentSession session, RecordTurn command, string userId, Guid turnId, CancellationToken ct)
    {
        var existing = await session.LoadAsync<Turn>(turnId, ct);
        if (existing == null) return null;

        var same = existing.UserId == userId
                   && existing.UserMessage == command.UserMessage
                   && existing.AiResponse == command.AiResponse
                   && (command.ConversationId == null || command.ConversationId == existing.ConversationId);
        return same
            ? Created(new TurnRecordedResponse(existing.Id, existing.ConversationId, existing.Learned))
            : ProblemResponses.Result(StatusCodes.Status409Conflict, "Turn id already used",
                "This turnId was recorded with different content.");
    }

    private static IResult Created(TurnRecordedResponse response) =>
        Results.Json(response, statusCode: StatusCodes.Status201Created);
}
