using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CrossLearn.Features.Turns;

public sealed record TurnView(
    Guid TurnId, string UserMessage, string AiResponse, DateTimeOffset RecordedAt, bool? Success,
    IReadOnlyList<Memories.MemoryLearning.Learned> Learned, GivenContext? GivenWith);

public sealed record ConversationView(
    string ConversationId, DateTimeOffset StartedAt, DateTimeOffset LastTurnAt, int TurnCount, IReadOnlyList<TurnView> Turns);

public static class GetConversationsEndpoint
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;

    [WolverineGet("/api/me/conversations")]
    [Authorize(Policy = Policies.SignedIn)]
    [ProducesResponseType<IReadOnlyList<ConversationView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    public static async Task<IResult> Get(ClaimsPrincipal principal, UserScopedReads reads, string? limit, CancellationToken ct)
    {
        var take = DefaultLimit;
        if (limit != null && (!int.TryParse(limit, out take) || take is < 1 or > MaxLimit))
            return ProblemResponses.Result(StatusCodes.Status400BadRequest, "Invalid request", $"limit must be a whole number from 1 to {MaxLimit}.");

        var userId = Caller.From(principal).UserId;
        await using var scope = await reads.OpenAsync(userId, ct);
        return Results.Ok(await ForUserAsync(scope.Session, userId, take, ct));
    }

    /// <summary>The user's newest conversations, newest first, each with its turns in order.</summary>
    public static async Task<IReadOnlyList<ConversationView>> ForUserAsync(IQuerySession session, string userId, int limit, CancellationToken ct)
    {
        var conversations = await session.Query<Conversation>()
            .Where(c => c.UserId == userId)
            .OrderByDescending(c => c.LastTurnAt)
            .Take(limit)
            .ToListAsync(ct);
        if (conversations.Count == 0) return [];

        var ids = conversations.Select(c => c.ConversationId).ToArray();
        var turns = await session.Query<Turn>()
            .Where(t => t.UserId == userId && ids.Contains(t.ConversationId))
            .OrderBy(t => t.RecordedAt)
            .ToListAsync(ct);
        var byConversation = turns.ToLookup(t => t.ConversationId);

        return conversations.Select(c => new ConversationView(c.ConversationId, c.StartedAt, c.LastTurnAt, c.TurnCount,
                byConversation[c.ConversationId]
                    .Select(t => new TurnView(t.Id, t.UserMessage, t.AiResponse, t.RecordedAt, t.Success, t.Learned, t.Context))
                    .ToList()))
            .ToList();
    }
}
