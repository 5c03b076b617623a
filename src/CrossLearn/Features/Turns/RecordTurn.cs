using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using CrossLearn.Features.Context;
using CrossLearn.Features.Learners;
using CrossLearn.Features.Memories;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Sharding;
using CrossLearn.Platform.Storage;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CrossLearn.Features.Turns;

/// <summary>Record one conversation turn and learn from the user's message.</summary>
/// <param name="ContextId">The contextId of the context the answer was given with (GET /api/me/context): the turn records its items.</param>
public sealed record RecordTurn(string? UserMessage, string? AiResponse, string? ConversationId, Guid? TurnId, string? UserId, string? ContextId = null);

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
        RuleFor(x => x.ContextId).NotEmpty().MaximumLength(ContextIds.MaxLength).When(x => x.ContextId != null);
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
        RecordTurn command, ClaimsPrincipal principal, TurnWriter turns, ShardSessions sessions, ContextIds contexts, TimeProvider time, CancellationToken ct)
    {
        var caller = Caller.From(principal);
        if (TargetUser(caller, command.UserId) is not { } userId)
            return caller.IsUser
                ? ProblemResponses.Result(StatusCodes.Status403Forbidden, "Forbidden", "A user may post turns only for themselves.")
                : ProblemResponses.Result(StatusCodes.Status400BadRequest, "Invalid request", "A service token must name the userId it posts for.");

        // What the message says does not depend on what the user holds: read here, on the request's thread. The decision
        // (is this turn new, what does it teach) is taken in the batch that locks the user's stream (TurnWriter).
        var now = time.GetUtcNow();
        GivenContext? given = null;
        if (command.ContextId != null)
        {
            // Checked before anything is written: a turn with a context that is not this user's records nothing.
            switch (contexts.Read(command.ContextId, userId, now))
            {
                case ContextReading.Valid valid: given = new GivenContext(valid.Context.IssuedAt, valid.Context.Items); break;
                case ContextReading.Foreign: return InvalidContext("The contextId was issued for another user.");
                case ContextReading.Expired expired: return InvalidContext($"The contextId expired at {expired.ExpiredAt:O}; read the context again.");
                default: return InvalidContext("The contextId is not one this service issued.");
            }
        }

        var turn = new TurnToRecord(userId, command, command.TurnId ?? Guid.CreateVersion7(now),
            command.ConversationId ?? Guid.CreateVersion7(now).ToString(), MemoryExtractor.Extract(command.UserMessage!), given);
        return await turns.RecordAsync(turn) switch
        {
            TurnDecision.Record recorded => Created(recorded.Response),
            TurnDecision.Repeat repeat => await RepeatedAsync(sessions, command, userId, repeat.Version, ct),
            _ => UsedTurnId()
        };
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
        ShardSessions sessions, RecordTurn command, string userId, long version, CancellationToken ct)
    {
        // In the user's shard database: a service names the user in the body, which the request's session knows nothing of.
        await using var session = sessions.QueryFor(userId);
        var events = await session.Events.FetchStreamAsync(userId, version: version, fromVersion: version, token: ct);
        var first = events.Select(e => e.Data).OfType<TurnRecorded>().Single();
        var same = first.UserMessage == command.UserMessage
                   && first.AiResponse == command.AiResponse
                   && (command.ConversationId == null || command.ConversationId == first.ConversationId);
        return same ? Created(new TurnRecordedResponse(first.TurnId, first.ConversationId, first.Learned)) : UsedTurnId();
    }

    private static IResult InvalidContext(string detail) =>
        ProblemResponses.Result(StatusCodes.Status400BadRequest, "Invalid contextId", detail);

    private static IResult UsedTurnId() =>
        ProblemResponses.Result(StatusCodes.Status409Conflict, "Turn id already used", "This turnId was recorded with different content.");

    private static IResult Created(TurnRecordedResponse response) =>
        Results.Json(response, statusCode: StatusCodes.Status201Created);
}

/// <summary>A turn ready to be decided: whose it is, what was posted, its ids, and what its message says.</summary>
public sealed record TurnToRecord(
    string UserId, RecordTurn Command, Guid TurnId, string ConversationId, IReadOnlyList<ExtractedMemory> Extracted,
    GivenContext? Context = null) : TurnWrite(UserId);

/// <summary>What a posted turn comes to.</summary>
public abstract record TurnDecision : TurnWriteDecision
{
    /// <summary>A new turn: its events (the turn, then what it teaches) and the answer to the chat app.</summary>
    public sealed record Record(IReadOnlyList<object> Events, TurnRecordedResponse Response) : TurnDecision;

    /// <summary>The user recorded this turn id already, at this stream version: a retry, answered from that event.</summary>
    public sealed record Repeat(long Version) : TurnDecision;

    /// <summary>Another user's turn has this id: refused, never overwritten.</summary>
    public sealed record RefuseUsedId : TurnDecision;
}

/// <summary>Decides a posted turn from the user's write model. Pure: the same turn, learner and moment give the same decision.</summary>
public static class TurnDecider
{
    /// <param name="turnIdUsedElsewhere">Whether a turn of this id exists (asked only for ids the caller chose).</param>
    public static TurnDecision Decide(TurnToRecord turn, Learner learner, bool turnIdUsedElsewhere, DateTimeOffset now)
    {
        if (learner.Turns.TryGetValue(turn.TurnId, out var recorded)) return new TurnDecision.Repeat(recorded.Version);
        if (turnIdUsedElsewhere) return new TurnDecision.RefuseUsedId();

        var command = turn.Command;
        var decision = MemoryLearning.Decide(turn.UserId, turn.TurnId, turn.Extracted, learner.Memories.Values, now, ExtractorVersion.Current);
        return new TurnDecision.Record(
            [new TurnRecorded(turn.UserId, turn.TurnId, turn.ConversationId, command.UserMessage!, command.AiResponse!, now, decision.Learned, turn.Context),
                .. decision.Events],
            new TurnRecordedResponse(turn.TurnId, turn.ConversationId, decision.Learned));
    }
}
