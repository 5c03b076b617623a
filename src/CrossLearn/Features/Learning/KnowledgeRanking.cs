using CrossLearn.Platform.Storage;
using Marten;

namespace CrossLearn.Features.Learning;

/// <summary>
/// Knowledge in rank order, as /api/patterns orders patterns: rank at the latest aging, else holders; then holders, then
/// key. Chosen in the database (knowledge can run to thousands) and kept per node while the knowledge stream stays at
/// the version it was read at: promotions, demotions and agings are all on that stream, so each of them is seen at
/// once. Before a pattern's first aging its holders also change between versions; that order is as of the version.
/// </summary>
public sealed class KnowledgeRanking
{
    /// <summary>The version and the time of the stream's last event: a stream started again (event data reset) may reach an old version.</summary>
    private sealed record Ranked((long, DateTimeOffset) Version, int Count, IReadOnlyList<string> Ids);

    private volatile Ranked? _ranked;

    /// <summary>The ids of the <paramref name="count"/> highest ranked knowledge items, best first.</summary>
    public async Task<IReadOnlyList<string>> TopAsync(IQuerySession session, int count, CancellationToken ct)
    {
        var state = await session.Events.FetchStreamStateAsync(KnowledgeStream.Key, ct);
        var version = (state?.Version ?? 0, state?.LastTimestamp ?? default);
        if (_ranked is { } ranked && ranked.Version == version && (ranked.Count >= count || ranked.Ids.Count < ranked.Count))
            return ranked.Ids.Take(count).ToList();

        var ids = await session.AdvancedSql.QueryAsync<string>($"""
            SELECT k.id FROM {StoreTables.Of<KnowledgeItem>()} k
            LEFT JOIN {StoreTables.Of<Pattern>()} p ON p.id = k.id
            LEFT JOIN {StoreTables.Of<PatternStanding>()} s ON s.id = k.id
            ORDER BY coalesce((s.data->>'Weight')::float8, coalesce(p.user_count, (k.data->>'UserCount')::int)) DESC,
                     coalesce(p.user_count, (k.data->>'UserCount')::int) DESC, k.data->>'Key' COLLATE "C"
            LIMIT ?
            """, ct, count);
        _ranked = new Ranked(version, count, ids);
        return ids;
    }
}
