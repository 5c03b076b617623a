using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Npgsql;
using Wolverine;
using CrossLearn.Platform.Agents;

namespace CrossLearn.Features.Learning;

/// <summary>
/// Promotes and demotes on its own: polls for patterns whose global figures (the sums of every shard's reports,
/// docs/scaling.md) changed since it last looked, and asks the <see cref="EvaluatePatternsHandler"/> about them.
/// Decisions compare figures with current knowledge, so looking twice (another node, a restart) changes nothing.
/// </summary>
/// <remarks>
/// A Wolverine agent of one instance in the cluster: Wolverine's leader places it on one node and moves it when that
/// node dies (within seconds, <c>ClusterTimings</c>), as it does the async projections; in Solo mode it runs at once.
/// It carries on from the cursor in the global store (<see cref="PromotionCursor"/>), so each change is judged once.
/// </remarks>
public sealed class PromotionWatcher(
    IGlobalStore global, Platform.Sharding.ShardDataSources pools, IServiceProvider services, LearningSettings settings,
    ILogger<PromotionWatcher> logger)
    : PollingAgent("crosslearn-promotion", logger)
{
    private const int BatchSize = 500;

    protected override TimeSpan Period => TimeSpan.FromMilliseconds(settings.PromotionPollMilliseconds);

    protected override async Task TickAsync(CancellationToken ct)
    {
        // Read every time, not kept in memory: another node may have moved it, and a global store that starts again
        // (new, restored, emptied) starts its revisions and this cursor again together; a number remembered here
        // would skip the new store's first changes.
        var cursor = await PromotionCursor.LoadAsync(global, ct);
        var seen = await EvaluateChangesSinceAsync(cursor, ct);
        if (seen != cursor) await PromotionCursor.SaveAsync(global, seen, ct);
    }

    private async Task<long> EvaluateChangesSinceAsync(long seen, CancellationToken ct)
    {
        // Only ids and revisions: one report can change many patterns (a rating touches all of its rater's).
        IReadOnlyList<FiguresCursor> changed;
        await using (var query = global.QuerySession())
        {
            changed = await query.Query<GlobalPatternFigures>()
                .Where(p => p.Revision > seen)
                .Select(p => new FiguresCursor(p.Id, p.Revision))
                .ToListAsync(ct);
        }

        var orphans = await OrphanedKnowledgeAsync(ct);
        if (changed.Count == 0 && orphans.Count == 0)
        {
            // The global figures were reset (revisions start again): look at everything anew. Ordered before the
            // projection: ordering a projected scalar picked an arbitrary row's value.
            await using var query = global.QuerySession();
            var newest = await query.Query<GlobalPatternFigures>().OrderByDescending(p => p.Revision).Select(p => p.Revision).FirstOrDefaultAsync(ct);
            return newest < seen ? 0 : seen;
        }

        await using var scope = services.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        foreach (var chunk in changed.Select(c => c.Id).Concat(orphans.Select(GlobalPatternFigures.IdOf)).Distinct().Chunk(BatchSize))
            await bus.InvokeAsync<EvaluationResult>(new EvaluatePatterns(chunk), ct);
        return changed.Count == 0 ? seen : changed.Max(c => c.Revision);
    }

    /// <summary>
    /// Knowledge whose pattern no shard database has (its last holders left). The global figures decide whether anyone
    /// still holds it; a check here costs one evaluation that changes nothing. Knowledge held in another database than
    /// the first is no orphan (it was looked at on every tick while only the first was asked).
    /// </summary>
    private async Task<IReadOnlyList<string>> OrphanedKnowledgeAsync(CancellationToken ct)
    {
        var first = pools.First;
        // A rebuild empties and refills the patterns: every piece of knowledge would look orphaned meanwhile.
        await using var shared = await RebuildAnnouncement.TryHoldOffAsync(first, ct);
        if (shared == null) return [];
        var ids = new HashSet<string>();
        await using (var command = first.CreateCommand($"""
            SELECT k.id FROM {StoreTables.Of<KnowledgeItem>()} k
            LEFT JOIN {StoreTables.Of<Pattern>()} p ON p.id = k.id WHERE p.id IS NULL
            """))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));

        foreach (var database in pools.Map.Databases.Skip(1))
        {
            if (ids.Count == 0) break;
            await using var held = await RebuildAnnouncement.TryHoldOffAsync(pools.Of(database), ct);
            if (held == null) return [];
            await using var command = pools.Of(database).CreateCommand($"SELECT id FROM {StoreTables.Of<Pattern>()} WHERE id = ANY($1)");
            command.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) ids.Remove(reader.GetString(0));
        }

        return [.. ids];
    }

    private sealed record FiguresCursor(string Id, long Revision);
}

/// <summary>How far the promotion watcher has judged changes of the global figures, whichever node leads.</summary>
public sealed class PromotionCursor
{
    public const string DocumentId = "promotion";

    public string Id { get; set; } = DocumentId;
    public long Seen { get; set; }

    public static async Task<long> LoadAsync(IGlobalStore global, CancellationToken ct)
    {
        await using var session = global.QuerySession();
        return (await session.LoadAsync<PromotionCursor>(DocumentId, ct))?.Seen ?? 0;
    }

    public static async Task SaveAsync(IGlobalStore global, long seen, CancellationToken ct)
    {
        await using var session = global.LightweightSession();
        session.Store(new PromotionCursor { Seen = seen });
        await session.SaveChangesAsync(ct);
    }
}
