using CrossLearn.Features.Experiments;
using CrossLearn.Platform.Storage;
using Marten;

namespace CrossLearn.Features.Learning;

/// <summary>Decide promotion for these patterns from their current figures.</summary>
public sealed record EvaluatePatterns(IReadOnlyList<string> PatternIds);

public sealed record EvaluationResult(int Promoted, int Demoted);

public static class EvaluatePatternsHandler
{
    public static async Task<EvaluationResult> Handle(
        EvaluatePatterns command, IDocumentSession session, LearningSettings settings, ExperimentSettings experiments, ILiveNotifications live,
        TimeProvider time, CancellationToken ct)
    {
        // Not from patterns a rebuild is refilling (it would demote what is only not back yet): wait until none runs.
        await RebuildAnnouncement.WaitUntilNoneRunsAsync(session, ct);
        // The knowledge stream, locked until this commit: one promotion decider at a time.
        var knowledge = await session.FetchForDecidingAsync<KnowledgeBook>(KnowledgeStream.Key, ct);
        var promoted = knowledge.Aggregate?.Promoted ?? [];
        var patterns = (await session.LoadManyAsync<Pattern>(ct, command.PatternIds)).ToDictionary(p => p.Id);

        // Knowledge whose pattern is gone (nobody holds it) is judged on empty figures: demoted.
        var figures = patterns.Values.Select(Promotion.Figures.From)
            .Concat(command.PatternIds.Distinct().Where(id => !patterns.ContainsKey(id) && promoted.ContainsKey(id))
                .Select(id => new Promotion.Figures(promoted[id].Type, promoted[id].Key, 0, 0, 0)));
        var now = time.GetUtcNow();
        var events = Promotion.Decide(figures, command.PatternIds.Where(promoted.ContainsKey).ToHashSet(), settings, now,
            knowledge.Aggregate?.Verdicts, Promotion.FailingOfLate(knowledge.Aggregate, settings));
        var promotedNow = events.OfType<PatternPromoted>().Select(p => Pattern.IdFor(p.Type, p.Key)).ToHashSet();
        var started = ExperimentDecider.AutoStart(patterns.Values.Select(Promotion.Figures.From), knowledge.Aggregate ?? new KnowledgeBook(),
            promotedNow, settings, experiments, now);
        if (events.Count > 0) knowledge.AppendMany(events);
        if (started.Count > 0) knowledge.AppendMany(started);

        // Live: only patterns shown to everyone (k holders or more) are announced.
        foreach (var pattern in patterns.Values.Where(p => p.UserCount >= settings.PatternMinUsers))
            live.Queue(session, null, "pattern.changed", new { pattern.Type, pattern.Key, pattern.UserCount, pattern.SuccessRate });

        return new EvaluationResult(events.Count(e => e is PatternPromoted), events.Count(e => e is PatternDemoted));
    }
}
