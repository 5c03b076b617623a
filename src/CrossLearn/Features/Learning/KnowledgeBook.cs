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

    /// <summary>The running experiments, by the id of the pattern each tests (one at a time per pattern).</summary>
    public Dictionary<string, Guid> Experiments { get; set; } = [];

    /// <summary>Patterns whose latest experiment was stopped before its horizon: not started again on their own.</summary>
    public HashSet<string> Stopped { get; set; } = [];

    /// <summary>The verdict of the latest concluded experiment of each pattern tested, by pattern id.</summary>
    public Dictionary<string, string> Verdicts { get; set; } = [];

    /// <summary>The latest aging's figures of each pattern (by id), and its moment: what decay decides from next time.</summary>
    public Dictionary<string, AgedPattern> Aging { get; set; } = [];
    public DateTimeOffset? LastAgedAt { get; set; }
}

public sealed record PromotedPattern(string Type, string Key);

/// <summary>Inline, so the book is exactly at the head of the knowledge stream whenever a decider fetches it.</summary>
public sealed partial class KnowledgeBookProjection : SingleStreamProjection<KnowledgeBook, string>
{
    public KnowledgeBookProjection()
    {
        IncludeType<PatternPromoted>();
        IncludeType<PatternDemoted>();
        IncludeType<Experiments.ExperimentStarted>();
        IncludeType<Experiments.ExperimentStopped>();
        IncludeType<Experiments.ExperimentConcluded>();
        IncludeType<PatternsAged>();
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
            case Experiments.ExperimentStarted started:
                book.Experiments[Pattern.IdFor(started.Type, started.Key)] = started.ExperimentId;
                book.Stopped.Remove(Pattern.IdFor(started.Type, started.Key));
                break;
            case Experiments.ExperimentStopped stopped:
                book.Experiments.Remove(Pattern.IdFor(stopped.Type, stopped.Key));
                book.Stopped.Add(Pattern.IdFor(stopped.Type, stopped.Key));
                break;
            case PatternsAged aged:
                book.Aging = aged.Patterns.ToDictionary(p => Pattern.IdFor(p.Type, p.Key));
                book.LastAgedAt = aged.AsOf;
                break;
            case Experiments.ExperimentConcluded concluded:
                book.Experiments.Remove(Pattern.IdFor(concluded.Type, concluded.Key));
                book.Verdicts[Pattern.IdFor(concluded.Type, concluded.Key)] = concluded.Verdict;
                break;
        }

        return book;
    }
}
