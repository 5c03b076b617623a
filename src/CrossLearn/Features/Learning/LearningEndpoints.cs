using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CrossLearn.Features.Learning;

public sealed record PatternView(string Type, string Key, int UserCount, double? SuccessRate);

/// <param name="PromotedAt">Null for a pattern given only to an experiment's treatment arm (<paramref name="Arm"/>).</param>
/// <param name="ExperimentId">In a context: the experiment that gave (treatment) this knowledge to this user.</param>
public sealed record KnowledgeView(
    string Type, string Key, int UserCount, double? SuccessRate, DateTimeOffset? PromotedAt, long Version,
    Guid? ExperimentId = null, string? Arm = null)
{
    /// <summary>What a context names this knowledge by (docs/api.md, exposure).</summary>
    public string Id => Context.ContextItemKinds.IdFor(Context.ContextItemKinds.Knowledge, Type, Key);
}

public static class LearningEndpoints
{
    /// <summary>Global patterns: aggregates only, no user ids, nothing held by fewer than k users.</summary>
    [WolverineGet("/api/patterns")]
    [Authorize(Policy = Policies.SignedIn)]
    public static async Task<IReadOnlyList<PatternView>> GetPatterns(IQuerySession session, LearningSettings settings, CancellationToken ct)
    {
        var patterns = await session.Query<Pattern>()
            .Where(p => p.UserCount >= settings.PatternMinUsers)
            .OrderByDescending(p => p.UserCount).ThenBy(p => p.Key)
            .ToListAsync(ct);
        return patterns.Select(p => new PatternView(p.Type, p.Key, p.UserCount, p.SuccessRate)).ToList();
    }

    [WolverineGet("/api/knowledge")]
    [Authorize(Policy = Policies.SignedIn)]
    public static Task<IReadOnlyList<KnowledgeView>> GetKnowledge(IQuerySession session, CancellationToken ct) =>
        CurrentKnowledgeAsync(session, ct);

    /// <summary>Promoted knowledge with its holders' current figures.</summary>
    public static async Task<IReadOnlyList<KnowledgeView>> CurrentKnowledgeAsync(IQuerySession session, CancellationToken ct)
    {
        var items = await session.Query<KnowledgeItem>().OrderByDescending(k => k.PromotedAt).ToListAsync(ct);
        var patterns = (await session.LoadManyAsync<Pattern>(ct, items.Select(k => k.Id))).ToDictionary(p => p.Id);
        return items.Select(k => patterns.TryGetValue(k.Id, out var p)
                ? new KnowledgeView(k.Type, k.Key, p.UserCount, p.SuccessRate, k.PromotedAt, k.PromotedAtVersion)
                : new KnowledgeView(k.Type, k.Key, k.UserCount, k.SuccessRate, k.PromotedAt, k.PromotedAtVersion))
            .ToList();
    }
}
