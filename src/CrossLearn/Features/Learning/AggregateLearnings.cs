using CrossLearn.Features.Profile;
using System.Security.Claims;
using CrossLearn.Features.Memories;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Sharding;
using CrossLearn.Platform.Storage;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Npgsql;
using Wolverine;
using Wolverine.Http;

namespace CrossLearn.Features.Learning;

/// <summary>
/// Recompute every pattern and success rate from the memory and profile read models, and every promotion
/// decision from them (the seed's "aggregate-learnings"). Records what changed plus an AggregationCompleted. Over every
/// shard database: a user's memories all lie in one, so the per-database counts add up to the seed's GROUP BY over all.
/// </summary>
public sealed record AggregateLearnings(string RequestedBy);

public sealed record AggregationSummary(
    string RequestedBy, int Patterns, int GlobalPatterns, int Knowledge, int Promoted, int Demoted, int Drifted, DateTimeOffset CompletedAt)
{
    public static AggregationSummary From(AggregationCompleted e) =>
        new(e.RequestedBy, e.Patterns, e.GlobalPatterns, e.Knowledge, e.Promoted, e.Demoted, e.Drifted, e.CompletedAt);
}

public static class AggregateLearningsHandler
{
    public static async Task<AggregationSummary> Handle(
        AggregateLearnings command, IDocumentSession session, ShardSessions shards, ShardDataSources pools, LearningSettings settings,
        TimeProvider time, ILogger<AggregateLearnings> logger, CancellationToken ct)
    {
        // Not from patterns a rebuild is refilling (it would demote what is only not back yet): wait until none runs.
        await RebuildAnnouncement.WaitUntilNoneRunsAsync(session, ct);
        // The knowledge stream, locked until this commit: one promotion decider at a time.
        var stream = await session.FetchForDecidingAsync<KnowledgeBook>(KnowledgeStream.Key, ct);
        var knowledge = stream.Aggregate?.Promoted ?? [];
        var recomputed = new Dictionary<string, Promotion.Figures>();
        var projected = new Dictionary<string, Promotion.Figures>();
        foreach (var database in pools.Map.Databases)
        {
            // The first database is held off above, until the commit; any other while it is read.
            await using var holdOff = database == pools.Map.Databases[0] ? null : await RebuildAnnouncement.HoldOffAsync(pools.Of(database), ct);
            AddUp(recomputed, (await RecomputeAsync(pools.Of(database), settings, ct)).Values);
            await using var shard = shards.Query(database);
            AddUp(projected, (await shard.Query<Pattern>().Where(p => p.UserCount > 0).ToListAsync(ct)).Select(Promotion.Figures.From));
        }

        // Patterns the live projection disagrees on: zero unless events are still in flight or something broke.
        var drifted = recomputed.Values.Count(r => !projected.TryGetValue(r.Id, out var p) || p != r)
                      + projected.Keys.Count(id => !recomputed.ContainsKey(id));
        if (drifted > 0) logger.LogWarning("Aggregation: {Drifted} patterns differ from the live projection", drifted);

        // Knowledge whose pattern has no holders left is judged on empty figures, so it is demoted.
        var candidates = recomputed.Values.Concat(knowledge
            .Where(k => !recomputed.ContainsKey(k.Key))
            .Select(k => new Promotion.Figures(k.Value.Type, k.Value.Key, 0, 0, 0)));

        var now = time.GetUtcNow();
        var decisions = Promotion.Decide(candidates, knowledge.Keys.ToHashSet(), settings, now, stream.Aggregate?.Verdicts,
            Promotion.FailingOfLate(stream.Aggregate, settings));
        var promoted = decisions.Count(e => e is PatternPromoted);
        var demoted = decisions.Count(e => e is PatternDemoted);
        var completed = new AggregationCompleted(command.RequestedBy, recomputed.Count,
            recomputed.Values.Count(p => p.UserCount >= settings.PatternMinUsers),
            knowledge.Count + promoted - demoted, promoted, demoted, drifted, now);

        stream.AppendMany([.. decisions, completed]);
        return AggregationSummary.From(completed);
    }

    private static void AddUp(Dictionary<string, Promotion.Figures> sums, IEnumerable<Promotion.Figures> figures)
    {
        foreach (var f in figures)
            sums[f.Id] = sums.TryGetValue(f.Id, out var sum)
                ? sum with { UserCount = sum.UserCount + f.UserCount, RatedTurns = sum.RatedTurns + f.RatedTurns, SuccessfulTurns = sum.SuccessfulTurns + f.SuccessfulTurns }
                : f;
    }

    /// <summary>The seed's GROUP BY over one database's memory read model, with the holders' summed ratings.</summary>
    private static async Task<Dictionary<string, Promotion.Figures>> RecomputeAsync(
        NpgsqlDataSource database, LearningSettings settings, CancellationToken ct)
    {
        var sql = $"""
            SELECT m.type, m.key, count(*)::int, coalesce(sum(p.rated_turns), 0)::int, coalesce(sum(p.successful_turns), 0)::int
            FROM {StoreTables.Of<Memory>()} m
            LEFT JOIN {StoreTables.Of<UserProfile>()} p ON p.id = m.user_id
            WHERE m.confidence >= @min AND m.type <> @personal
            GROUP BY m.type, m.key
            """;
        await using var command = database.CreateCommand(sql);
        command.Parameters.AddWithValue("min", settings.PatternMinConfidence);
        command.Parameters.AddWithValue("personal", MemoryTypes.PersonalInfo);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var figures = new Dictionary<string, Promotion.Figures>();
        while (await reader.ReadAsync(ct))
        {
            var f = new Promotion.Figures(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4));
            figures[f.Id] = f;
        }

        return figures;
    }
}

public static class AggregateLearningsEndpoint
{
    [WolverinePost("/api/admin/aggregate")]
    [Authorize(Policy = Policies.Admin)]
    public static Task<AggregationSummary> Post(ClaimsPrincipal principal, IMessageBus bus, CancellationToken ct) =>
        bus.InvokeAsync<AggregationSummary>(new AggregateLearnings(Caller.From(principal).UserId), ct);
}
