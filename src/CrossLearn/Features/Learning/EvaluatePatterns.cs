using CrossLearn.Features.Experiments;
using CrossLearn.Platform.Storage;
using Marten;

namespace CrossLearn.Features.Learning;

/// <summary>Decide promotion for these patterns from their global figures (ids of <see cref="GlobalPatternFigures"/>).</summary>
public sealed record EvaluatePatterns(IReadOnlyList<string> FigureIds);

public sealed record EvaluationResult(int Promoted, int Demoted);

public static class EvaluatePatternsHandler
{
    public static async Task<EvaluationResult> Handle(
        EvaluatePatterns command, IDocumentSession session, IGlobalStore global, LearningSettings settings, ExperimentSettings experiments,
        ILiveNotifications live, TimeProvider time, CancellationToken ct)
    {
        // Not while a rebuild refills the patterns (what the orphan check saw may be half of them): wait until none runs.
        await RebuildAnnouncement.WaitUntilNoneRunsAsync(session, ct);
        // The knowledge stream, locked until this commit: one promotion decider at a time.
        var knowledge = await session.FetchForDecidingAsync<KnowledgeBook>(KnowledgeStream.Key, ct);
        var promoted = knowledge.Aggregate?.Promoted ?? [];
        IReadOnlyList<GlobalPatternFigures> held;
        await using (var figures = global.QuerySession())
            held = await figures.LoadManyAsync<GlobalPatternFigures>(ct, command.FigureIds.Distinct());
        var patterns = held.Where(g => g.Holders > 0).Select(g => new Promotion.Figures(g.Type, g.Key, g.Holders, g.RatedTurns, g.SuccessfulTurns)).ToList();

        // Knowledge held by nobody any more (the shards reported zero) is judged on empty figures: demoted. Such figures
        // carry no key text, so the knowledge is found by its hash; only hashed when there are any. Figures not there at
        // all are not known yet (knowledge promoted by an aggregation before the shards' next report, or a global store
        // emptied and being sent everything again): nothing is decided on them.
        var unheld = held.Where(g => g.Holders == 0).Select(g => g.Id).ToHashSet();
        var gone = unheld.Count == 0 ? []
            : promoted.Where(p => unheld.Contains(GlobalPatternFigures.IdOf(p.Key))).Select(p => new Promotion.Figures(p.Value.Type, p.Value.Key, 0, 0, 0)).ToList();
        var now = time.GetUtcNow();
        var judged = patterns.Concat(gone).ToList();
        var events = Promotion.Decide(judged, judged.Select(f => f.Id).Where(promoted.ContainsKey).ToHashSet(), settings, now,
            knowledge.Aggregate?.Verdicts, Promotion.FailingOfLate(knowledge.Aggregate, settings));
        var promotedNow = events.OfType<PatternPromoted>().Select(p => Pattern.IdFor(p.Type, p.Key)).ToHashSet();
        var started = ExperimentDecider.AutoStart(patterns, knowledge.Aggregate ?? new KnowledgeBook(), promotedNow, settings, experiments, now);
        if (events.Count > 0) knowledge.AppendMany(events);
        if (started.Count > 0) knowledge.AppendMany(started);

        // Live: only patterns shown to everyone (k holders or more) are announced.
        foreach (var pattern in patterns.Where(p => p.UserCount >= settings.PatternMinUsers))
            live.Queue(session, null, "pattern.changed", new { pattern.Type, pattern.Key, pattern.UserCount, pattern.SuccessRate });

        return new EvaluationResult(events.Count(e => e is PatternPromoted), events.Count(e => e is PatternDemoted));
    }
}
