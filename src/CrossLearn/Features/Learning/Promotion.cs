namespace CrossLearn.Features.Learning;

/// <summary>Decides promotions and demotions. Pure: figures and current knowledge in, events out.</summary>
public static class Promotion
{
    /// <summary>A pattern's figures, however they were obtained (the projection, or a recomputation).</summary>
    public sealed record Figures(string Type, string Key, int UserCount, int RatedTurns, int SuccessfulTurns)
    {
        public string Id => Pattern.IdFor(Type, Key);
        public double? SuccessRate => Profile.SuccessRate.Of(SuccessfulTurns, RatedTurns);

        public static Figures From(Pattern p) => new(p.Type, p.Key, p.UserCount, p.RatedTurns, p.SuccessfulTurns);
    }

    public static IReadOnlyList<object> Decide(
        IEnumerable<Figures> patterns, IReadOnlySet<string> promoted, LearningSettings settings, DateTimeOffset now)
    {
        var events = new List<object>();
        foreach (var p in patterns)
        {
            var isKnowledge = promoted.Contains(p.Id);
            if (!isKnowledge && Qualifies(p, settings))
                events.Add(new PatternPromoted(p.Type, p.Key, p.UserCount, p.RatedTurns, p.SuccessRate!.Value, now));
            else if (isKnowledge && DemotionReason(p, settings) is { } reason)
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
