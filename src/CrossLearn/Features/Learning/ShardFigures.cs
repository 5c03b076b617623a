using System.Security.Cryptography;
using System.Text;

namespace CrossLearn.Features.Learning;

/// <summary>One pattern's figures in one shard, absolute (never a change): what its holders there add up to.</summary>
public sealed record PatternFigures(string Type, string Key, int Holders, int RatedTurns, int SuccessfulTurns);

/// <summary>
/// A shard's figures of the patterns that changed there, as of its report number <paramref name="Sequence"/> (rising per
/// shard). The global side keeps the latest per (pattern, shard), so a report made twice or arriving late changes nothing.
/// </summary>
public sealed record ShardPatternFiguresReported(string ShardId, long Sequence, IReadOnlyList<PatternFigures> Patterns);

/// <summary>
/// A pattern's figures over every shard: each shard's latest report and their sums. A success rate is a ratio of the
/// sums, never an average of the shards' rates.
/// </summary>
/// <remarks>
/// Keyed by a hash of the pattern id, not the id itself: when no shard holds the pattern any more its key text goes
/// (it may be text only its last holder wrote), while the shards' report numbers stay, so a late report cannot bring it back.
/// </remarks>
public sealed class GlobalPatternFigures
{
    public string Id { get; set; } = "";
    public string Type { get; set; } = "";
    public string Key { get; set; } = "";
    public int Holders { get; set; }
    public int RatedTurns { get; set; }
    public int SuccessfulTurns { get; set; }
    public Dictionary<string, ShardPatternPart> Shards { get; set; } = [];
    /// <summary>The global store's change number at this pattern's last change: the promotion watcher's cursor.</summary>
    public long Revision { get; set; }

    public double? SuccessRate => Profile.SuccessRate.Of(SuccessfulTurns, RatedTurns);

    public static string IdFor(string type, string key) => IdOf(Pattern.IdFor(type, key));

    /// <summary>The id of a pattern's global figures from the pattern's id (<see cref="Pattern.IdFor"/>).</summary>
    public static string IdOf(string patternId) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(patternId)));
}

/// <summary>
/// The global figures' change counter: every write of the figures takes the next number and stamps the patterns it
/// changed with it. Writers meet on this one document (optimistic concurrency), so numbers are committed in order and
/// a reader that has seen number n has seen every change up to n.
/// </summary>
public sealed class GlobalFiguresRevision
{
    public const string DocumentId = "global-figures";

    public string Id { get; set; } = DocumentId;
    public long Value { get; set; }
}

/// <summary>One shard's part of a pattern: its figures as of its report number <see cref="Sequence"/>.</summary>
public sealed record ShardPatternPart(long Sequence, int Holders, int RatedTurns, int SuccessfulTurns);

/// <summary>How a shard's report changes the global figures. Pure.</summary>
public static class GlobalFigures
{
    /// <summary>
    /// Takes <paramref name="shardId"/>'s figures of one pattern as of report <paramref name="sequence"/> into
    /// <paramref name="global"/>. False (and nothing changed) when it holds that shard's figures of this report or a later one.
    /// </summary>
    public static bool Apply(GlobalPatternFigures global, string shardId, long sequence, PatternFigures figures)
    {
        if (global.Shards.TryGetValue(shardId, out var held) && held.Sequence >= sequence) return false;

        global.Shards[shardId] = new ShardPatternPart(sequence, figures.Holders, figures.RatedTurns, figures.SuccessfulTurns);
        global.Type = figures.Type;
        global.Holders = global.Shards.Values.Sum(p => p.Holders);
        global.RatedTurns = global.Shards.Values.Sum(p => p.RatedTurns);
        global.SuccessfulTurns = global.Shards.Values.Sum(p => p.SuccessfulTurns);
        // Held nowhere: the text goes, the report numbers stay.
        global.Key = global.Holders > 0 ? figures.Key : "";
        return true;
    }
}
