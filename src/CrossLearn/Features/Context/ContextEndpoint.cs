using System.Security.Claims;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CrossLearn.Features.Context;

public sealed record ContextView(IReadOnlyList<MemoryView> Memories, IReadOnlyList<KnowledgeView> Knowledge);

/// <summary>What the chat app asks before it answers a user: their memories and the global knowledge that fits them.</summary>
public static class ContextEndpoint
{
    [WolverineGet("/api/me/context")]
    [Authorize(Policy = Policies.SignedIn)]
    public static async Task<ContextView> Get(ClaimsPrincipal principal, UserScopedReads reads, IQuerySession session, CancellationToken ct)
    {
        var userId = Caller.From(principal).UserId;
        IReadOnlyList<MemoryView> memories;
        await using (var scope = await reads.OpenAsync(userId, ct))
            memories = await GetMemoriesEndpoint.ForUserAsync(scope.Session, userId, ct);
        var knowledge = await LearningEndpoints.CurrentKnowledgeAsync(session, ct);
        return new ContextView(memories, knowledge.Where(k => !Contradicts(k, memories)).ToList());
    }

    /// <summary>A user who said "never X" is not told "users prefer X", and the reverse.</summary>
    public static bool Contradicts(KnowledgeView knowledge, IEnumerable<MemoryView> memories) =>
        memories.Any(m => m.Key == knowledge.Key && (m.Type, knowledge.Type) is
            (MemoryTypes.NegativePreference, MemoryTypes.Preference) or (MemoryTypes.Preference, MemoryTypes.NegativePreference));
}
