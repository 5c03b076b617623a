using CrossLearn.Hosting;
using Marten;

namespace CrossLearn.Features.Learning;

/// <summary>Decide promotion for these patterns from their current figures.</summary>
public sealed record EvaluatePatterns(IReadOnlyList<string> PatternIds);

public sealed record EvaluationResult(int Promoted, int Demoted);

public static class EvaluatePatternsHandler
{
    public static async Task<EvaluationResult> Handle(
        EvaluatePatterns command, IDocumentSession session, LearningSettings settings, TimeProvider time, CancellationToken ct)
    {
        await session.LockKnowledgeAsync(ct);
        var patterns = (await session.LoadManyAsync<Pattern>(ct, command.PatternIds)).ToDictionary(p => p.Id);
        var knowledge = await session.LoadManyAsync<KnowledgeItem>(ct, command.PatternIds);

        // Knowledge whose pattern is gone (nobody holds it) is judged on empty figures: demoted.
        var figures = patterns.Values.Select(Promotion.Figures.From)
            .Concat(knowledge.Where(k => !patterns.ContainsKey(k.Id)).Select(k => new Promotion.Figures(k.Type, k.Key, 0, 0, 0)));
        var events = Promotion.Decide(figures, knowledge.Select(k => k.Id).ToHashSet(), settings, time.GetUtcNow());
        if (events.Count > 0) session.Events.Append(KnowledgeStream.Key, events);

        // Live: only patterns shown to everyone (k holders or more) are announced.
        foreach (var pattern in patterns.Values.Where(p => p.UserCount >= settings.PatternMinUsers))
            session.QueueSqlCommand(Live.LiveFeed.InsertSql,
                Live.LiveFeed.InsertArguments(null, "pattern.changed", new { pattern.Type, pattern.Key, pattern.UserCount, pattern.SuccessRate }));

        return new EvaluationResult(events.Count(e => e is PatternPromoted), events.Count(e => e is PatternDemoted));
    }
}
