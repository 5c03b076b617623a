using CrossLearn.Platform.Storage;
using Marten;

namespace CrossLearn.Features.Learning;

/// <summary>
/// The figures users are shown of patterns and knowledge: the global store's, every shard's holders and ratings summed
/// (docs/scaling.md, "Exact global counts"), not one shard's own counters. With one shard they are the same figures,
/// about a report (250 ms) later.
/// </summary>
public sealed class GlobalFiguresReader(IGlobalStore global)
{
    /// <summary>The global figures of these patterns that someone holds, by pattern id (<see cref="Pattern.IdFor"/>).</summary>
    public async Task<IReadOnlyDictionary<string, GlobalPatternFigures>> OfPatternsAsync(IEnumerable<string> patternIds, CancellationToken ct)
    {
        var byGlobalId = patternIds.Distinct().ToDictionary(GlobalPatternFigures.IdOf);
        if (byGlobalId.Count == 0) return new Dictionary<string, GlobalPatternFigures>();
        await using var session = global.QuerySession();
        return (await session.LoadManyAsync<GlobalPatternFigures>(ct, byGlobalId.Keys))
            .Where(f => f.Holders > 0).ToDictionary(f => byGlobalId[f.Id]);
    }

    /// <summary>Every pattern held by at least <paramref name="holders"/> users over all shards.</summary>
    public async Task<IReadOnlyList<GlobalPatternFigures>> HeldByAtLeastAsync(int holders, CancellationToken ct)
    {
        await using var session = global.QuerySession();
        return await session.Query<GlobalPatternFigures>().Where(f => f.Holders >= holders).ToListAsync(ct);
    }
}
