using CrossLearn.Features.Memories;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;

namespace CrossLearn.Features.Learning;

// Appended to the knowledge stream (KnowledgeStream.Key): the decisions about global knowledge.
// Read strictly (Platform/Storage/StrictEventReading.cs): a parameter without a default is needed.

/// <summary>A pattern qualified as global knowledge; the figures are those it qualified with.</summary>
public sealed record PatternPromoted(
    string Type,
    string Key,
    int UserCount,
    int RatedTurns,
    double SuccessRate,
    DateTimeOffset PromotedAt) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) => MemoryShapes.Slot(Type, Key);
}

/// <summary>Promoted knowledge fell below the demotion thresholds.</summary>
public sealed record PatternDemoted(
    string Type,
    string Key,
    int UserCount,
    int RatedTurns,
    double? SuccessRate,
    string Reason,
    DateTimeOffset DemotedAt) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) => MemoryShapes.Slot(Type, Key);
}

/// <summary>
/// The patterns were aged as of <see cref="AsOf"/>, an explicit moment (the clock is read by whoever asked, never by a
/// projection): each pattern's holders weighed by how long ago their memory was last seen, and its recent success
/// (its holders' last rated turns). Carries every figure, so a rebuild or a point-in-time read reproduces the ranks and
/// the demotions decided on them without computing anything again.
/// </summary>
public sealed record PatternsAged(
    DateTimeOffset AsOf,
    double HalfLifeDays,
    int RecentWindowRatedTurns,
    string RequestedBy,
    IReadOnlyList<AgedPattern> Patterns) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) =>
        Patterns == null || RequestedBy == null ? "a missing field"
        : Patterns.Select(p => MemoryShapes.Slot(p.Type, p.Key)).FirstOrDefault(problem => problem != null);
}

/// <param name="Weight">The pattern's rank: the sum over its holders of 0.5^(days since their memory was last seen / half-life).</param>
/// <param name="LowAgings">Knowledge only: how many agings in a row found its recent success below the demotion threshold.</param>
public sealed record AgedPattern(string Type, string Key, double Weight, int RecentRatedTurns, int RecentSuccesses, int LowAgings)
{
    public double? RecentSuccessRate => Profile.SuccessRate.Of(RecentSuccesses, RecentRatedTurns);
}

/// <summary>An admin-triggered aggregation ran: what it found, what it changed, and who asked.</summary>
public sealed record AggregationCompleted(
    string RequestedBy,
    int Patterns,
    int GlobalPatterns,
    int Knowledge,
    int Promoted,
    int Demoted,
    int Drifted,
    DateTimeOffset CompletedAt) : IEventFacts;

public static class KnowledgeStream
{
    /// <summary>User ids may not start with <see cref="Platform.Http.UserIds.ReservedPrefix"/>, so no user stream can take this key.</summary>
    public const string Key = "crosslearn:knowledge";
}
