using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace CrossLearn.Features.Learning;

/// <param name="Rank">Its holders weighed by how recently each was seen, at the latest aging (docs/learning.md, "Decay");
/// null before the first. Lists are ordered by it (by the holders while none).</param>
/// <param name="RecentSuccessRate">Its holders' last rated turns' success at the latest aging (null: none, or not aged).</param>
public sealed record PatternView(string Type, string Key, int UserCount, double? SuccessRate, double? Rank = null, double? RecentSuccessRate = null);

/// <param name="PromotedAt">Null for a pattern given only to an experiment's treatment arm (<paramref name="Arm"/>).</param>
/// <param name="ExperimentId">In a context: the experiment that gave (treatment) this knowledge to this user.</param>
/// <param name="PredictedSuccess">In a context: the probability that this user's turn given with it succeeds (<see cref="SuccessPrediction"/>).</param>
public sealed record KnowledgeView(
    string Type, string Key, int UserCount, double? SuccessRate, DateTimeOffset? PromotedAt, long Version,
    Guid? ExperimentId = null, string? Arm = null, double? Rank = null, double? RecentSuccessRate = null, double? PredictedSuccess = null)
{
    /// <summary>What a context names this knowledge by (docs/api.md, exposure).</summary>
    public string Id => Context.ContextItemKinds.IdFor(Context.ContextItemKinds.Knowledge, Type, Key);
}

public static class LearningEndpoints
{
    /// <summary>Global patterns: aggregates only, no user ids, nothing held by fewer than k users.</summary>
    [WolverineGet("/api/patterns")]
    [Authorize(Policy = Policies.SignedIn)]
    public static async Task<IReadOnlyList<PatternView>> GetPatterns(
        IQuerySession session, GlobalFiguresReader figures, LearningSettings settings, CancellationToken ct)
    {
        // Held by k users over all shards (the global figures); the standings are the latest aging's.
        var patterns = await figures.HeldByAtLeastAsync(settings.PatternMinUsers, ct);
        var standings = await StandingsAsync(session, patterns.Select(p => Pattern.IdFor(p.Type, p.Key)), ct);
        return patterns
            .Select(p => standings.GetValueOrDefault(Pattern.IdFor(p.Type, p.Key)) is { } s
                ? new PatternView(p.Type, p.Key, p.Holders, p.SuccessRate, s.Weight, s.RecentSuccessRate)
                : new PatternView(p.Type, p.Key, p.Holders, p.SuccessRate))
            // A stale pattern (holders not seen for long) sinks below fresher ones with as many holders.
            .OrderByDescending(p => p.Rank ?? p.UserCount).ThenByDescending(p => p.UserCount).ThenBy(p => p.Key, StringComparer.Ordinal)
            .ToList();
    }

    private static async Task<Dictionary<string, PatternStanding>> StandingsAsync(IQuerySession session, IEnumerable<string> ids, CancellationToken ct) =>
        (await session.LoadManyAsync<PatternStanding>(ct, ids)).ToDictionary(s => s.Id);

    [WolverineGet("/api/knowledge")]
    [Authorize(Policy = Policies.SignedIn)]
    public static Task<IReadOnlyList<KnowledgeView>> GetKnowledge(IQuerySession session, GlobalFiguresReader figures, CancellationToken ct) =>
        CurrentKnowledgeAsync(session, figures, ct);

    /// <summary>Promoted knowledge with its holders' current figures.</summary>
    public static async Task<IReadOnlyList<KnowledgeView>> CurrentKnowledgeAsync(IQuerySession session, GlobalFiguresReader figures, CancellationToken ct) =>
        await ViewsAsync(session, figures, await session.Query<KnowledgeItem>().OrderByDescending(k => k.PromotedAt).ToListAsync(ct), ct);

    /// <summary>The <paramref name="count"/> highest ranked knowledge items (<see cref="KnowledgeRanking"/>), with current figures.</summary>
    public static async Task<IReadOnlyList<KnowledgeView>> TopKnowledgeAsync(IQuerySession session, KnowledgeRanking ranking, int count, CancellationToken ct) =>
        count <= 0 ? [] : await ViewsAsync(session, ranking.Figures, await ranking.TopAsync(session, count, ct), ct);

    /// <summary>The knowledge items of these pattern ids that exist, in this order, with their patterns' current figures and standings.</summary>
    public static async Task<IReadOnlyList<KnowledgeView>> ViewsAsync(IQuerySession session, GlobalFiguresReader figures, IReadOnlyList<string> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var reads = session.CreateBatchQuery();
        var items = reads.LoadMany<KnowledgeItem>().ByIdList(ids.ToList());
        var standings = reads.LoadMany<PatternStanding>().ByIdList(ids.ToList());
        await reads.Execute(ct);
        var byId = (await items).ToDictionary(k => k.Id);
        return Views(ids.Where(byId.ContainsKey).Select(id => byId[id]), await figures.OfPatternsAsync(ids, ct), (await standings).ToDictionary(x => x.Id));
    }

    /// <summary>Knowledge items, in their order, with their patterns' current figures and standings.</summary>
    private static async Task<IReadOnlyList<KnowledgeView>> ViewsAsync(IQuerySession session, GlobalFiguresReader figures, IReadOnlyList<KnowledgeItem> items, CancellationToken ct)
    {
        if (items.Count == 0) return [];
        var ids = items.Select(k => k.Id).ToList();
        return Views(items, await figures.OfPatternsAsync(ids, ct), await StandingsAsync(session, ids, ct));
    }

    /// <summary>A knowledge item nobody holds any more keeps the figures it was promoted on.</summary>
    private static List<KnowledgeView> Views(
        IEnumerable<KnowledgeItem> items, IReadOnlyDictionary<string, GlobalPatternFigures> figures, Dictionary<string, PatternStanding> standings) =>
        items.Select(k =>
            {
                var view = figures.TryGetValue(k.Id, out var p)
                    ? new KnowledgeView(k.Type, k.Key, p.Holders, p.SuccessRate, k.PromotedAt, k.PromotedAtVersion)
                    : new KnowledgeView(k.Type, k.Key, k.UserCount, k.SuccessRate, k.PromotedAt, k.PromotedAtVersion);
                return standings.GetValueOrDefault(k.Id) is { } s ? view with { Rank = s.Weight, RecentSuccessRate = s.RecentSuccessRate } : view;
            })
            .ToList();
}
