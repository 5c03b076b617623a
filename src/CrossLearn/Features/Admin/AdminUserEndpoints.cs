using Microsoft.AspNetCore.Mvc;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Turns;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CrossLearn.Features.Admin;

/// <summary>An admin opens one user on purpose: their memories (now or at a past moment) and conversations.</summary>
public static class AdminUserEndpoints
{
    [WolverineGet("/api/admin/users/{userId}/memories")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<IReadOnlyList<MemoryView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> GetMemories(string userId, string? at, IQuerySession session, CancellationToken ct)
    {
        if (at == null) return Results.Ok(await GetMemoriesEndpoint.ForUserAsync(session, userId, ct));

        var (moment, invalid) = StreamHistory.Moment(at, default);
        if (invalid != null) return invalid;
        var (events, unreadable) = await StreamHistory.FetchAsync(session, userId, moment!.Value, "This user's events", ct);
        if (unreadable != null) return unreadable;

        return Results.Ok(MemoryView.StrongestFirst(MemoryHistory.Fold(events!)));
    }

    [WolverineGet("/api/admin/users/{userId}/conversations")]
    [Authorize(Policy = Policies.Admin)]
    public static async Task<IReadOnlyList<ConversationView>> GetConversations(string userId, IQuerySession session, CancellationToken ct) =>
        await GetConversationsEndpoint.ForUserAsync(session, userId, GetConversationsEndpoint.MaxLimit, ct);
}
