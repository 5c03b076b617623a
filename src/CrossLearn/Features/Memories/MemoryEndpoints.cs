using Microsoft.AspNetCore.Mvc;
using System.Security.Claims;
using CrossLearn.Features.Learners;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CrossLearn.Features.Memories;

public sealed record MemoryView(
    string Type, string Key, string Value, double Confidence, DateTimeOffset FirstLearnedAt, DateTimeOffset LastSeenAt,
    int TimesSeen, IReadOnlyList<Guid> SourceTurnIds, string? Category, string? ExtractorVersion, long Version)
{
    /// <summary>What a context names this memory by (docs/api.md, exposure).</summary>
    public string Id => Context.ContextItemKinds.IdFor(Context.ContextItemKinds.Memory, Type, Key);

    public static MemoryView From(Memory m) =>
        new(m.Type, m.Key, m.Value, m.Confidence, m.FirstLearnedAt, m.LastSeenAt, m.TimesSeen, m.SourceTurnIds, m.Category, m.ExtractorVersion, m.ChangedAtVersion);

    /// <summary>The order every list of a user's memories is shown in: the most confident, then most seen, then latest seen first.</summary>
    public static IReadOnlyList<MemoryView> StrongestFirst(IEnumerable<Memory> memories) =>
        memories.OrderByDescending(m => m.Confidence).ThenByDescending(m => m.TimesSeen).ThenByDescending(m => m.LastSeenAt).Select(From).ToList();
}

public static class GetMemoriesEndpoint
{
    [WolverineGet("/api/me/memories")]
    [Authorize(Policy = Policies.SignedIn)]
    public static async Task<IReadOnlyList<MemoryView>> Get(ClaimsPrincipal principal, UserScopedReads reads, CancellationToken ct)
    {
        var userId = Caller.From(principal).UserId;
        await using var scope = await reads.OpenAsync(userId, ct);
        return await ForUserAsync(scope.Session, userId, ct);
    }

    /// <summary>The user's active memories, strongest first.</summary>
    public static async Task<IReadOnlyList<MemoryView>> ForUserAsync(IQuerySession session, string userId, CancellationToken ct) =>
        MemoryView.StrongestFirst(await session.Query<Memory>().Where(m => m.UserId == userId).ToListAsync(ct));
}

/// <summary>The user erases a memory; saying it again later learns it again.</summary>
public static class RetractMemoryEndpoint
{
    [WolverineDelete("/api/me/memories/{type}/{key}")]
    [Authorize(Policy = Policies.SignedIn)]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Delete(
        string type, string key, ClaimsPrincipal principal, IDocumentSession session, TimeProvider time, CancellationToken ct)
    {
        var userId = Caller.From(principal).UserId;
        // Routing leaves an encoded slash encoded; keys may contain one.
        key = key.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        if (!MemoryTypes.All.Contains(type)) return ProblemResponses.NotFound("memory");

        // The user's stream, locked until this request commits; what they hold is read from it, not from a read model.
        var stream = await session.FetchForDecidingAsync<Learner>(userId, ct);
        if (stream.Aggregate?.Holds(type, key) != true) return ProblemResponses.NotFound("memory");

        stream.AppendOne(new MemoryRetracted(userId, type, key, RetractionReasons.ErasedByUser, null, time.GetUtcNow()));
        return Results.NoContent();
    }
}
