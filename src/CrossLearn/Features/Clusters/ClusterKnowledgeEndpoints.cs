using CrossLearn.Platform.Sharding;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Profile;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Wolverine.Http;

namespace CrossLearn.Features.Clusters;

/// <param name="Holders">The cluster's holders when it was promoted (rounded where a user sees it).</param>
public sealed record ClusterKnowledgeView(int ClusterId, string Type, string Key, int Holders, double SuccessRate, DateTimeOffset PromotedAt, long Version)
{
    /// <summary>What a context names this knowledge by (docs/api.md, exposure).</summary>
    public string Id => Context.ContextItemKinds.IdFor(Context.ContextItemKinds.ClusterKnowledge, Type, Key);

    public static ClusterKnowledgeView Of(ClusterKnowledgeItem k, bool rounded) =>
        new(k.ClusterId, k.Type, k.Key, rounded ? Recommendations.Rounded(k.UserCount) : k.UserCount, Math.Round(k.SuccessRate, 4), k.PromotedAt, k.PromotedAtVersion);
}

/// <param name="Lift">Its share among the cluster's members over its share among all users: how much more the cluster holds it.</param>
public sealed record ClusterKeyView(string Type, string Key, int Holders, double Share, double Lift);

public sealed record ClusterView(
    int ClusterId, int Members, long RatedTurns, double? SuccessRate, int Patterns, int Knowledge, IReadOnlyList<ClusterKeyView> DistinctiveKeys);

/// <summary>The clusters now: the latest completed run and, for each cluster, its size, success and what sets it apart.</summary>
public sealed record ClustersView(Guid? RunId, DateTimeOffset? AsOf, int Population, ClusterKnowledgeEvaluated? LatestEvaluation, IReadOnlyList<ClusterView> Clusters);

/// <param name="IsKnowledge">Promoted within the cluster.</param>
public sealed record ClusterPatternView(string Type, string Key, int Holders, int RatedTurns, double? SuccessRate, bool IsKnowledge);

/// <summary>The cluster knowledge as it stood at a moment, folded from its stream (an audit's view).</summary>
public sealed record ClusterKnowledgeAtView(DateTimeOffset At, IReadOnlyList<ClusterKnowledgeItem> Knowledge, ClusterKnowledgeEvaluated? LatestEvaluation, long StreamVersion);

public static class ClusterKnowledgeEndpoints
{
    private const int DistinctiveKeys = 5;

    /// <summary>Judges every cluster's patterns now (as the schedule and each clustering run do); the evaluation's figures.</summary>
    [WolverinePost("/api/admin/clusters/knowledge/evaluations")]
    [Authorize(Policy = Policies.Admin)]
    public static Task<ClusterKnowledgeEvaluated> Evaluate(System.Security.Claims.ClaimsPrincipal principal, ClusterKnowledgeEvaluator evaluator, CancellationToken ct) =>
        evaluator.EvaluateAsync(Caller.From(principal).UserId, ct);

    /// <summary>Every cluster: members, rated turns and success, cluster patterns and knowledge, its most distinctive keys.</summary>
    [WolverineGet("/api/admin/clusters")]
    [Authorize(Policy = Policies.Admin)]
    public static async Task<ClustersView> Overview(
        IQuerySession session, ShardDataSources pools, GlobalFiguresReader globalFigures, LearningSettings settings, CancellationToken ct)
    {
        var run = await session.Query<ClusteringRun>().Where(r => r.Status == ClusteringRun.Completed).OrderByDescending(r => r.AsOf).FirstOrDefaultAsync(ct);
        var ledger = await session.LoadAsync<ClusterKnowledgeLedger>(ClusterKnowledgeStream.Key, ct);
        var totals = await ClusterPatterns.TotalsAsync(pools, null, ct);
        var figures = await ClusterPatterns.CountAsync(pools, null, settings.PatternMinConfidence, ct);
        var population = await PopulationAsync(pools, ct);
        // Every user's holders, over all shards, for the lift.
        var holders = (await globalFigures.OfPatternsAsync(figures.Select(f => f.Figures.Id), ct)).ToDictionary(f => f.Key, f => f.Value.Holders);
        var knowledge = (ledger?.Promoted.Values.AsEnumerable() ?? []).GroupBy(p => p.ClusterId).ToDictionary(g => g.Key, g => g.Count());
        var byCluster = figures.GroupBy(f => f.ClusterId).ToDictionary(g => g.Key, g => g.Select(f => f.Figures).ToList());
        var clusters = totals.Select(t =>
            {
                var patterns = byCluster.GetValueOrDefault(t.ClusterId) ?? [];
                var distinctive = patterns
                    .Select(p => new ClusterKeyView(p.Type, p.Key, p.UserCount, Math.Round((double)p.UserCount / t.Members, 4),
                        Math.Round(Lift(p.UserCount, t.Members, holders.GetValueOrDefault(p.Id, p.UserCount), population), 2)))
                    .OrderByDescending(k => k.Lift).ThenByDescending(k => k.Holders).ThenBy(k => k.Key, StringComparer.Ordinal)
                    .Take(DistinctiveKeys).ToList();
                return new ClusterView(t.ClusterId, t.Members, t.Turns.Rated, Profile.SuccessRate.Of((int)t.Turns.Successes, (int)t.Turns.Rated),
                    patterns.Count(p => p.UserCount >= settings.PatternMinUsers), knowledge.GetValueOrDefault(t.ClusterId), distinctive);
            })
            .ToList();
        return new ClustersView(run?.RunId, run?.AsOf, population, ledger?.LatestEvaluation, clusters);
    }

    /// <summary>(holders / members) over (all holders / all users); 0 when nobody is counted.</summary>
    public static double Lift(int holders, int members, int allHolders, int population) =>
        members == 0 || allHolders == 0 || population == 0 ? 0 : (double)holders / members / ((double)allHolders / population);

    /// <summary>A cluster's patterns (2 or more holders among its members), most held first; 404 for a cluster without members.</summary>
    [WolverineGet("/api/admin/clusters/{clusterId}/patterns")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<IReadOnlyList<ClusterPatternView>>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Patterns(int clusterId, IQuerySession session, ShardDataSources pools, LearningSettings settings, CancellationToken ct)
    {
        if ((await ClusterPatterns.TotalsAsync(pools, clusterId, ct)).Count == 0) return ProblemResponses.NotFound($"cluster {clusterId}");
        var figures = await ClusterPatterns.CountAsync(pools, clusterId, settings.PatternMinConfidence, ct);
        var promoted = (await session.LoadAsync<ClusterKnowledgeLedger>(ClusterKnowledgeStream.Key, ct))?.Promoted ?? [];
        return Results.Ok(figures.Select(f => f.Figures)
            .Where(f => f.UserCount >= settings.PatternMinUsers)
            .OrderByDescending(f => f.UserCount).ThenBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => new ClusterPatternView(f.Type, f.Key, f.UserCount, f.RatedTurns, f.SuccessRate is { } r ? Math.Round(r, 4) : null,
                promoted.ContainsKey(ClusterKnowledgeItem.IdFor(clusterId, f.Type, f.Key))))
            .ToList());
    }

    /// <summary>Cluster knowledge now, or as it stood at <paramref name="at"/> (folded from its stream).</summary>
    [WolverineGet("/api/admin/clusters/knowledge")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<ClusterKnowledgeAtView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status400BadRequest, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> KnowledgeAt(string? at, IQuerySession session, TimeProvider time, CancellationToken ct)
    {
        var (moment, invalid) = StreamHistory.Moment(at, time.GetUtcNow());
        if (invalid != null) return invalid;
        var (events, unreadable) = await StreamHistory.FetchAsync(session, ClusterKnowledgeStream.Key, moment!.Value, "The cluster knowledge stream's events", ct);
        return unreadable ?? Results.Ok(Fold(events!, moment.Value));
    }

    /// <summary>The cluster knowledge after <paramref name="events"/> (its stream, in order), with the projection's own Evolve.</summary>
    public static ClusterKnowledgeAtView Fold(IReadOnlyList<IEvent> events, DateTimeOffset at)
    {
        var projection = new ClusterKnowledgeProjection();
        var items = new Dictionary<string, ClusterKnowledgeItem>();
        ClusterKnowledgeEvaluated? latest = null;
        foreach (var e in events)
        {
            foreach (var id in ClusterKnowledgeProjection.IdsOf(e.Data))
                if (projection.Evolve(items.GetValueOrDefault(id), id, e) is { } item) items[id] = item;
                else items.Remove(id);
            if (e.Data is ClusterKnowledgeEvaluated evaluated) latest = evaluated;
        }

        return new ClusterKnowledgeAtView(at, [.. items.Values.OrderBy(k => k.ClusterId).ThenByDescending(k => k.UserCount).ThenBy(k => k.Key, StringComparer.Ordinal)],
            latest, events.Count == 0 ? 0 : events[^1].Version);
    }

    /// <summary>A cluster's knowledge, most held first.</summary>
    public static async Task<IReadOnlyList<ClusterKnowledgeItem>> OfClusterAsync(IQuerySession session, int clusterId, int count, CancellationToken ct) =>
        count <= 0 ? [] : await session.Query<ClusterKnowledgeItem>().Where(k => k.ClusterId == clusterId)
            .OrderByDescending(k => k.UserCount).ThenBy(k => k.Key).Take(count).ToListAsync(ct);

    /// <summary>Every shard database's users.</summary>
    private static async Task<int> PopulationAsync(ShardDataSources pools, CancellationToken ct)
    {
        var population = 0;
        foreach (var database in pools.Map.Databases)
        {
            await using var command = pools.Of(database).CreateCommand($"SELECT count(*)::int FROM {StoreTables.Of<UserProfile>()}");
            population += (int)(await command.ExecuteScalarAsync(ct))!;
        }

        return population;
    }
}
