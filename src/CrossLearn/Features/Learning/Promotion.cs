namespace CrossLearn.Features.Learning;

/// <summary>Which evidence promotes (configuration <c>Learning:PromotionPolicy</c>).</summary>
public static class PromotionPolicies
{
    /// <summary>The seed's rule alone: holders, rated turns and their success rate (the default).</summary>
    public const string Seed = "seed";

    /// <summary>The seed's rule and a concluded experiment that found answers better with the pattern; a "worse" verdict blocks (and demotes).</summary>
    public const string Experiment = "experiment";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Seed, Experiment };
}

/// <summary>Decides promotions and demotions. Pure: figures and current knowledge in, events out.</summary>
public static class Promotion
{
    /// <summary>The patterns of the book's latest aging that are failing of late (see <see cref="Aging.RecentlyFailing"/>).</summary>
    public static IReadOnlySet<string> FailingOfLate(KnowledgeBook? book, LearningSettings settings) =>
        book == null ? new HashSet<string>() : book.Aging.Keys.Where(id => Aging.RecentlyFailing(book, id, settings)).ToHashSet();

    /// <summary>A pattern's figures, however they were obtained (the projection, or a recomputation).</summary>
    public sealed record Figures(string Type, string Key, int UserCount, int RatedTurns, int SuccessfulTurns)
    {
        public string Id => Pattern.IdFor(Type, Key);
        public double? SuccessRate => Profile.SuccessRate.Of(SuccessfulTurns, RatedTurns);

        public static Figures From(Pattern p) => new(p.Type, p.Key, p.UserCount, p.RatedTurns, p.SuccessfulTurns);
    }

    /// <param name="verdicts">The verdict of each pattern's latest concluded experiment (by pattern id); read only under
    /// <see cref="PromotionPolicies.Experiment"/>.</param>
    /// <param name="failingOfLate">Patterns whose latest aging found their recent success below the promotion threshold
    /// (<see cref="Aging.RecentlyFailing"/>): not promoted until it is back.</param>
    public static IReadOnlyList<object> Decide(
        IEnumerable<Figures> patterns, IReadOnlySet<string> promoted, LearningSettings settings, DateTimeOffset now,
        IReadOnlyDictionary<string, string>? verdicts = null, IReadOnlySet<string>? failingOfLate = null)
    {
        var events = new List<object>();
        var byExperiment = settings.PromotionPolicy == PromotionPolicies.Experiment;
        foreach (var p in patterns)
        {
            var isKnowledge = promoted.Contains(p.Id);
            var verdict = verdicts?.GetValueOrDefault(p.Id);
            if (!isKnowledge && Qualifies(p, settings) && (!byExperiment || verdict == Experiments.ExperimentVerdicts.Better)
                && failingOfLate?.Contains(p.Id) != true)
                events.Add(new PatternPromoted(p.Type, p.Key, p.UserCount, p.RatedTurns, p.SuccessRate!.Value, now));
            else if (isKnowledge && (DemotionReason(p, settings)
                         ?? (byExperiment && verdict == Experiments.ExperimentVerdicts.Worse ? "its experiment showed answers worse with it" : null)) is { } reason)
                events.Add(new PatternDemoted(p.Type, p.Key, p.UserCount, p.RatedTurns, p.SuccessRate, reason, now));
        }

        return events;
    }

    public static bool Qualifies(Figures p, LearningSettings s) =>
        p.UserCount >= s.PromotionMinUsers && p.RatedTurns >= s.PromotionMinRatedTurns && p.SuccessRate >= s.PromotionMinSuccessRate;

    // No rated turn left (the holders who rated have retracted, been erased, or their ratings moved): the success the
    // knowledge was promoted on is no longer there to keep it, so it goes, as it does when the rate falls.
    private static string? DemotionReason(Figures p, LearningSettings s) =>
        p.UserCount < s.DemotionBelowUsers ? $"fewer than {s.DemotionBelowUsers} users"
        : p.SuccessRate is null ? "no rated turns left"
        : p.SuccessRate < s.DemotionBelowSuccessRate ? $"success rate below {s.DemotionBelowSuccessRate:0.##}"
        : null;
}
