using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Marten;
using Npgsql;
using Wolverine;
using CrossLearn.Platform.Agents;

namespace CrossLearn.Features.Learning;

/// <summary>
/// Promotes and demotes on its own: polls for patterns the daemon changed since it last looked and asks the
/// <see cref="EvaluatePatternsHandler"/> about them. Decisions compare figures with current knowledge, so
/// looking twice (another node, a restart) changes nothing.
/// </summary>
/// <remarks>
/// A Wolverine agent of one instance in the cluster: Wolverine's leader places it on one node and moves it when that
/// node dies (within seconds, <c>ClusterTimings</c>), as it does the async projections; in Solo mode it runs at once.
/// It carries on from the cursor in the database (<see cref="PromotionCursor"/>), so each change is judged once.
/// </remarks>
public sealed class PromotionWatcher(
    IDocumentStore store, NpgsqlDataSource database, IServiceProvider services, LearningSettings settings, ILogger<PromotionWatcher> logger)
    : PollingAgent("crosslearn-promotion", logger)
{
    private const int BatchSize = 500;
    private bool _resumed;

    /// <summary>The highest pattern change evaluated so far; also kept in the database (<see cref="PromotionCursor"/>).</summary>
    public long Seen { get; private set; }

    protected override TimeSpan Period => TimeSpan.FromMilliseconds(settings.PromotionPollMilliseconds);

    protected override async Task TickAsync(CancellationToken ct)
    {
        // This node may take over from another: carry on from where the last one stopped.
        if (!_resumed) (Seen, _resumed) = (await PromotionCursor.LoadAsync(store, ct), true);
        var seen = await EvaluateChangesSinceAsync(Seen, ct);
        if (seen != Seen) await PromotionCursor.SaveAsync(store, seen, ct);
        Seen = seen;
    }

    private async Task<long> EvaluateChangesSinceAsync(long seen, CancellationToken ct)
    {
        IReadOnlyList<PatternCursor> changed;
        IReadOnlyList<string> orphans;
        // A rebuild clears and refills the patterns: what is read meanwhile (a pattern "gone", a count half back)
        // would demote and promote again. Read only while no rebuild runs; the hold is let go before deciding, which
        // waits for a rebuild begun in between by itself (RebuildAnnouncement.WaitUntilNoneRunsAsync).
        await using (var shared = await RebuildAnnouncement.TryHoldOffAsync(database, ct))
        {
            if (shared == null) return seen;

            // Only ids and cursors: many patterns can share one sequence (a rating touches all of its rater's).
            await using (var query = store.QuerySession())
            {
                changed = await query.Query<Pattern>()
                    .Where(p => p.ChangedAtSequence > seen)
                    .Select(p => new PatternCursor(p.Id, p.ChangedAtSequence))
                    .ToListAsync(ct);
            }

            orphans = await OrphanedKnowledgeAsync(ct);
            if (changed.Count == 0 && orphans.Count == 0)
            {
                // Event data was reset (sequences start again): look at everything anew. Ordered before the projection:
                // ordering a projected scalar picked an arbitrary pattern's sequence, so with two patterns or more the
                // watcher kept "resetting" and announced every pattern again, several times a second, forever.
                await using var query = store.QuerySession();
                var newest = await query.Query<Pattern>().OrderByDescending(p => p.ChangedAtSequence).Select(p => p.ChangedAtSequence)
                    .FirstOrDefaultAsync(ct);
                return newest < seen ? 0 : seen;
            }
        }

        await using var scope = services.CreateAsyncScope();
        var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
        foreach (var chunk in changed.Select(c => c.Id).Concat(orphans).Distinct().Chunk(BatchSize))
            await bus.InvokeAsync<EvaluationResult>(new EvaluatePatterns(chunk), ct);
        return changed.Count == 0 ? seen : changed.Max(c => c.ChangedAtSequence);
    }

    /// <summary>Knowledge whose pattern was deleted (its last holders left in one batch).</summary>
    private async Task<IReadOnlyList<string>> OrphanedKnowledgeAsync(CancellationToken ct)
    {
        await using var command = database.CreateCommand($"""
            SELECT k.id FROM {StoreTables.Of<KnowledgeItem>()} k
            LEFT JOIN {StoreTables.Of<Pattern>()} p ON p.id = k.id WHERE p.id IS NULL
            """);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var ids = new List<string>();
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetString(0));
        return ids;
    }

    private sealed record PatternCursor(string Id, long ChangedAtSequence);
}

/// <summary>How far the promotion watcher has judged pattern changes, whichever node leads.</summary>
public sealed class PromotionCursor
{
    public const string DocumentId = "promotion";

    public string Id { get; set; } = DocumentId;
    public long Seen { get; set; }

    public static async Task<long> LoadAsync(IDocumentStore store, CancellationToken ct)
    {
        await using var session = store.QuerySession();
        return (await session.LoadAsync<PromotionCursor>(DocumentId, ct))?.Seen ?? 0;
    }

    public static async Task SaveAsync(IDocumentStore store, long seen, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        session.Store(new PromotionCursor { Seen = seen });
        await session.SaveChangesAsync(ct);
    }
}
