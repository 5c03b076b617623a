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
