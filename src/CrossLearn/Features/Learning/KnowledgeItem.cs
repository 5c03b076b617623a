using Marten.Events.Projections;

namespace CrossLearn.Features.Learning;

/// <summary>A promoted pattern: global knowledge every user's assistant gets. Deleted on demotion.</summary>
public sealed class KnowledgeItem
{
    public string Id { get; set; } = "";
    public string Type { get; set; } = "";
    public string Key { get; set; } = "";
    public int UserCount { get; set; }
    public int RatedTurns { get; set; }
    public double SuccessRate { get; set; }
    public DateTimeOffset PromotedAt { get; set; }
}

/// <summary>Inline: the knowledge stream has one writer at a time (the knowledge lock).</summary>
public sealed partial class KnowledgeProjection : MultiStreamProjection<KnowledgeItem, string>
{
    public KnowledgeProjection()
    {
        Identity<PatternPromoted>(e => Pattern.IdFor(e.Type, e.Key));
        Identity<PatternDemoted>(e => Pattern.IdFor(e.Type, e.Key));
        DeleteEvent<PatternDemoted>();
    }

    public KnowledgeItem Create(PatternPromoted e) => new()
    {
        Id = Pattern.IdFor(e.Type, e.Key),
        Type = e.Type,
        Key = e.Key,
        UserCount = e.UserCount,
        RatedTurns = e.RatedTurns,
        SuccessRate = e.SuccessRate,
        PromotedAt = e.PromotedAt
    };
}
