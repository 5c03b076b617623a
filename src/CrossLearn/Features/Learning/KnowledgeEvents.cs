using System.Text.Json.Serialization;

namespace CrossLearn.Features.Learning;

// Appended to the knowledge stream (KnowledgeStream.Key): the decisions about global knowledge.
// Strict on read: a stored body with a member this version does not know (a newer version's field, a
// "schemaVersion") or without one it needs does not deserialize, so the daemon dead-letters and skips it instead of
// applying it with defaults (docs/reliability.md, poison events).

/// <summary>A pattern qualified as global knowledge; the figures are those it qualified with.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PatternPromoted(
    [property: JsonRequired] string Type,
    [property: JsonRequired] string Key,
    [property: JsonRequired] int UserCount,
    [property: JsonRequired] int RatedTurns,
    [property: JsonRequired] double SuccessRate,
    [property: JsonRequired] DateTimeOffset PromotedAt);

/// <summary>Promoted knowledge fell below the demotion thresholds.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record PatternDemoted(
    [property: JsonRequired] string Type,
    [property: JsonRequired] string Key,
    [property: JsonRequired] int UserCount,
    [property: JsonRequired] int RatedTurns,
    double? SuccessRate,
    [property: JsonRequired] string Reason,
    [property: JsonRequired] DateTimeOffset DemotedAt);

/// <summary>An admin-triggered aggregation ran: what it found, what it changed, and who asked.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AggregationCompleted(
    [property: JsonRequired] string RequestedBy,
    [property: JsonRequired] int Patterns,
    [property: JsonRequired] int GlobalPatterns,
    [property: JsonRequired] int Knowledge,
    [property: JsonRequired] int Promoted,
    [property: JsonRequired] int Demoted,
    [property: JsonRequired] int Drifted,
    [property: JsonRequired] DateTimeOffset CompletedAt);

public static class KnowledgeStream
{
    /// <summary>User ids may not start with <see cref="Hosting.UserIds.ReservedPrefix"/>, so no user stream can take this key.</summary>
    public const string Key = "crosslearn:knowledge";
}
