using CrossLearn.Features.Learning;

namespace CrossLearn.Features.Experiments;

/// <summary>An admin's request to test a pattern.</summary>
public sealed record StartExperiment(string? Type, string? Key, double? TreatmentShare);

/// <summary>What a request about an experiment comes to: the events to append, or why not (an HTTP status and words).</summary>
public abstract record ExperimentDecision
{
    public sealed record Append(object Event) : ExperimentDecision;

    public sealed record Refuse(int Status, string Title, string Detail) : ExperimentDecision;
}

/// <summary>Starts and stops experiments. Pure: the request, the knowledge stream's write model and the moment in, a decision out.</summary>
public static class ExperimentDecider
{
    /// <param name="patternKnown">Whether the pattern has holders (a pattern document) or is knowledge.</param>
    public static ExperimentDecision Start(
        StartExperiment request, KnowledgeBook book, bool patternKnown, Guid experimentId, string startedBy, double defaultShare, DateTimeOffset now)
    {
        var patternId = Pattern.IdFor(request.Type!, request.Key!);
        if (!patternKnown && !book.Promoted.ContainsKey(patternId))
            return new ExperimentDecision.Refuse(StatusCodes.Status404NotFound, "Not found", "No user holds this pattern and it is not knowledge.");
        if (book.Experiments.TryGetValue(patternId, out var running))
            return new ExperimentDecision.Refuse(StatusCodes.Status409Conflict, "Experiment running",
                $"Experiment {running} already tests this pattern; stop it first.");
        return new ExperimentDecision.Append(new ExperimentStarted(
            experimentId, request.Type!, request.Key!, request.TreatmentShare ?? defaultShare, startedBy, now));
    }

    /// <summary>
    /// Judges a running experiment once both arms reach the horizon; before, nothing (the running figures are shown,
    /// never judged). Null: nothing to append.
    /// </summary>
    public static ExperimentConcluded? Conclude(Experiment experiment, IReadOnlyCollection<ExperimentOutcome> outcomes, ExperimentSettings settings, DateTimeOffset now)
    {
        if (experiment.Status != ExperimentStatuses.Running) return null;
        var comparison = Compare(outcomes);
        if (!HorizonReached(comparison, settings)) return null;
        return new ExperimentConcluded(experiment.Id, experiment.Type, experiment.Key, ExperimentVerdicts.Of(comparison),
            comparison.Treatment, comparison.Control, comparison.Difference, comparison.Low, comparison.High, now);
    }

    public static ArmComparison Compare(IEnumerable<ExperimentOutcome> outcomes)
    {
        var byArm = outcomes.ToLookup(o => o.Arm, o => new UserOutcome(o.Rated, o.Successes));
        return ExperimentStatistics.Compare([.. byArm[ExperimentArms.Treatment]], [.. byArm[ExperimentArms.Control]]);
    }

    public static bool HorizonReached(ArmComparison c, ExperimentSettings settings) =>
        c.Treatment.Users >= settings.HorizonUsersPerArm && c.Control.Users >= settings.HorizonUsersPerArm
        && c.Treatment.RatedTurns >= settings.HorizonRatedTurnsPerArm && c.Control.RatedTurns >= settings.HorizonRatedTurnsPerArm;

    /// <summary>
    /// Experiments the promotion decider starts on its own (<see cref="ExperimentSettings.AutoStart"/>): for each pattern
    /// with the promotion's holders that is not knowledge (nor being promoted now), not under test, never judged and not
    /// stopped by an admin (who stopped it to keep it out of users' contexts; only an admin starts it again).
    /// The id is derived from the pattern and the moment, so deciding twice gives the same event.
    /// </summary>
    public static IReadOnlyList<ExperimentStarted> AutoStart(
        IEnumerable<Promotion.Figures> patterns, KnowledgeBook book, IReadOnlySet<string> promotedNow, LearningSettings learning,
        ExperimentSettings settings, DateTimeOffset now) =>
        !settings.AutoStart ? []
        : patterns.Where(p => p.UserCount >= learning.PromotionMinUsers && !book.Promoted.ContainsKey(p.Id) && !promotedNow.Contains(p.Id)
                              && !book.Experiments.ContainsKey(p.Id) && !book.Verdicts.ContainsKey(p.Id)
                              && !book.Stopped.Contains(p.Id))
            .Select(p => new ExperimentStarted(AutomaticId(p.Id, now), p.Type, p.Key, settings.TreatmentShare, ExperimentStarters.Automatic, now))
            .ToList();

    private static Guid AutomaticId(string patternId, DateTimeOffset now) =>
        new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{patternId}\u001f{now.UtcTicks}"))[..16]);

    public static ExperimentDecision Stop(Experiment? experiment, string stoppedBy, DateTimeOffset now) => experiment switch
    {
        null => new ExperimentDecision.Refuse(StatusCodes.Status404NotFound, "Not found", "No such experiment."),
        { Status: not ExperimentStatuses.Running } => new ExperimentDecision.Refuse(StatusCodes.Status409Conflict, "Experiment not running",
            $"The experiment is {experiment.Status}."),
        _ => new ExperimentDecision.Append(new ExperimentStopped(experiment.Id, experiment.Type, experiment.Key, stoppedBy, now))
    };
}
