using JasperFx.Events;
using Marten.Events.Aggregation;

namespace CrossLearn.Features.Learning;

/// <summary>
/// The knowledge stream's write model: which patterns are promoted now. Promotion deciders load it with
/// <c>FetchForExclusiveWriting</c>, which locks the knowledge stream until they commit: one decider at a time.
/// </summary>
public sealed class KnowledgeBook
{
    public string Id { get; set; } = KnowledgeStream.Key;

    /// <summary>The promoted patterns, by pattern id.</summary>
    public Dictionary<string, PromotedPattern> Promoted { get; set; } = [];
}

public sealed record PromotedPattern(string Type, string Key);

/// <summary>Inline, so the book is exactly at the head of the knowledge stream whenever a decider fetches it.</summary>
public sealed partial class KnowledgeBookProjection : SingleStreamProjection<KnowledgeBook, string>
{
    public KnowledgeBookProjection()
    {
        IncludeType<PatternPromoted>();
        IncludeType<PatternDemoted>();
    }

    public override KnowledgeBook? Evolve(KnowledgeBook? snapshot, string id, IEvent e)
    {
        var book = snapshot ?? new KnowledgeBook { Id = id };
        switch (e.Data)
        {
            case PatternPromoted p:
                book.Promoted[Pattern.IdFor(p.Type, p.Key)] = new PromotedPattern(p.Type, p.Key);
                break;
            case PatternDemoted d:
                book.Promoted.Remove(Pattern.IdFor(d.Type, d.Key));
                break;
        }

        return book;
    }
}
