using Microsoft.AspNetCore.Mvc;
using System.Globalization;
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

        if (!DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var moment))
            return ProblemResponses.Result(StatusCodes.Status400BadRequest, "Invalid request", "at must be an ISO-8601 date and time.");

        IReadOnlyList<JasperFx.Events.IEvent> events;
        try
        {
            events = await session.Events.FetchStreamAsync(userId, timestamp: moment, token: ct);
        }
        catch (Marten.Exceptions.EventDeserializationFailureException)
        {
            // A poison event in the stream (the daemon skipped it): a fold without it would be a guess.
            return ProblemResponses.Result(StatusCodes.Status409Conflict, "Unreadable history",
                "This user's events include one this version cannot read (see /api/admin/dead-letters), so their memories at a past moment cannot be computed.");
        }

        var memories = MemoryHistory.Fold(events)
            .OrderByDescending(m => m.Confidence).ThenByDescending(m => m.TimesSeen).ThenByDescending(m => m.LastSeenAt)
            .Select(MemoryView.From)
            .ToList();
        return Results.Ok(memories);
    }

    [WolverineGet("/api/admin/users/{userId}/conversations")]
    [Authorize(Policy = Policies.Admin)]
    public static async Task<IReadOnlyList<ConversationView>> GetConversations(string userId, IQuerySession session, CancellationToken ct) =>
        await GetConversationsEndpoint.ForUserAsync(session, userId, GetConversationsEndpoint.MaxLimit, ct);
}
