using JasperFx.Events;
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
    /// <summary>The knowledge stream's version at the promotion: the version a context names this knowledge by (not
    /// "Version": Marten takes a document property of that name for its own revision counter).</summary>
    public long PromotedAtVersion { get; set; }
}

/// <summary>
/// Inline: the knowledge stream has one writer at a time (the knowledge lock). One Evolve step per event, so that
/// a demotion (delete) followed by a new promotion in one batch, as a rebuild applies them, leaves the knowledge,
/// exactly as applying the decisions one at a time did.
/// </summary>
public sealed partial class KnowledgeProjection : MultiStreamProjection<KnowledgeItem, string>
{
    public KnowledgeProjection()
    {
        Identity<PatternPromoted>(e => Pattern.IdFor(e.Type, e.Key));
        Identity<PatternDemoted>(e => Pattern.IdFor(e.Type, e.Key));
    }

    /// <summary>The knowledge an event is about (its identities above), none for other events.</summary>
    public static IReadOnlyList<string> IdsOf(object data) => data switch
    {
        PatternPromoted p => [Pattern.IdFor(p.Type, p.Key)],
        PatternDemoted d => [Pattern.IdFor(d.Type, d.Key)],
        _ => []
    };

    /// <summary>Null deletes the document: demoted knowledge is not kept.</summary>
    public override KnowledgeItem? Evolve(KnowledgeItem? snapshot, string id, IEvent e) => e.Data switch
    {
        PatternPromoted promoted => new KnowledgeItem
        {
            Id = Pattern.IdFor(promoted.Type, promoted.Key),
            Type = promoted.Type,
            Key = promoted.Key,
            UserCount = promoted.UserCount,
            RatedTurns = promoted.RatedTurns,
            SuccessRate = promoted.SuccessRate,
            PromotedAt = promoted.PromotedAt,
            PromotedAtVersion = e.Version
        },
        PatternDemoted => null,
        _ => snapshot
    };
}
