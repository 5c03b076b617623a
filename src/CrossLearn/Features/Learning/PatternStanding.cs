using JasperFx.Events;
using Marten.Events.Projections;

namespace CrossLearn.Features.Learning;

/// <summary>A pattern's standing at the latest aging: its rank (holders weighed by how recently they were seen) and recent success.</summary>
public sealed class PatternStanding
{
    public string Id { get; set; } = "";
    public double Weight { get; set; }
    public int RecentRatedTurns { get; set; }
    public double? RecentSuccessRate { get; set; }
    public DateTimeOffset AgedAt { get; set; }
}

/// <summary>Inline over the knowledge stream (one writer at a time): each aging sets the standing of every pattern it measured.</summary>
public sealed partial class PatternStandingProjection : MultiStreamProjection<PatternStanding, string>
{
    public PatternStandingProjection()
    {
        Identities<PatternsAged>(e => [.. IdsOf(e)]);
    }

    public static IReadOnlyList<string> IdsOf(object data) =>
        data is PatternsAged aged ? [.. aged.Patterns.Select(p => Pattern.IdFor(p.Type, p.Key))] : [];

    public override PatternStanding? Evolve(PatternStanding? snapshot, string id, IEvent e) =>
        e.Data is PatternsAged aged && aged.Patterns.FirstOrDefault(p => Pattern.IdFor(p.Type, p.Key) == id) is { } p
            ? new PatternStanding { Id = id, Weight = p.Weight, RecentRatedTurns = p.RecentRatedTurns, RecentSuccessRate = p.RecentSuccessRate, AgedAt = aged.AsOf }
            : snapshot;
}
