using Marten;

namespace CrossLearn.Features.Learning;

/// <summary>
/// Knowledge in rank order, as /api/patterns orders patterns: rank at the latest aging, else holders over all shards
/// (the global figures); then holders, then key. Kept per node while the knowledge stream stays at the version it was
/// read at: promotions, demotions and agings are all on that stream, so each of them is seen at once. Before a
/// pattern's first aging its holders also change between versions; that order is as of the version.
/// </summary>
public sealed class KnowledgeRanking(GlobalFiguresReader figures)
{
    /// <summary>The version and the time of the stream's last event: a stream started again (event data reset) may reach an old version.</summary>
    private sealed record Ranked((long, DateTimeOffset) Version, IReadOnlyList<string> Ids);

    private volatile Ranked? _ranked;

    /// <summary>Where the current figures of the ranked knowledge come from.</summary>
    public GlobalFiguresReader Figures => figures;

    /// <summary>The ids of the <paramref name="count"/> highest ranked knowledge items, best first.</summary>
    public async Task<IReadOnlyList<string>> TopAsync(IQuerySession session, int count, CancellationToken ct)
    {
        var state = await session.Events.FetchStreamStateAsync(KnowledgeStream.Key, ct);
        var version = (state?.Version ?? 0, state?.LastTimestamp ?? default);
        if (_ranked is { } ranked && ranked.Version == version) return ranked.Ids.Take(count).ToList();

        // Every item with its rank (knowledge runs to thousands, not millions): the holders come from the global store,
        // another database when the shards are several, so the order is made here.
        var items = await session.Query<KnowledgeItem>().ToListAsync(ct);
        var standings = (await session.LoadManyAsync<PatternStanding>(ct, items.Select(k => k.Id))).ToDictionary(s => s.Id);
        var holders = await figures.OfPatternsAsync(items.Select(k => k.Id), ct);
        int HoldersOf(KnowledgeItem item) => holders.TryGetValue(item.Id, out var f) ? f.Holders : item.UserCount;
        var ids = items
            .OrderByDescending(k => standings.TryGetValue(k.Id, out var s) ? s.Weight : HoldersOf(k)).ThenByDescending(HoldersOf)
            .ThenBy(k => k.Key, StringComparer.Ordinal)
            .Select(k => k.Id).ToList();
        _ranked = new Ranked(version, ids);
        return ids.Take(count).ToList();
    }
}
