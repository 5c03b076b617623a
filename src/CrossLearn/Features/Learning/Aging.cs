namespace CrossLearn.Features.Learning;

/// <summary>
/// Pattern decay (docs/learning.md, "Decay"). Pure: the figures measured as of a moment, the knowledge stream's write
/// model and the thresholds in, events out.
/// </summary>
public static class Aging
{
    /// <summary>A pattern's evidence as of the aging's moment: its holders' weight and their last rated turns.</summary>
    public sealed record Measured(string Type, string Key, double Weight, int RecentRatedTurns, int RecentSuccesses)
    {
        public string Id => Pattern.IdFor(Type, Key);
    }

    /// <summary>One shard database's holders of a pattern: how many, and their weights summed.</summary>
    public sealed record HolderWeights(string Type, string Key, int Holders, double Weight);

    /// <summary>A rated turn of one of a pattern's holders; <paramref name="TurnId"/> in PostgreSQL's uuid text, the tie-break.</summary>
    public sealed record HolderRating(string Type, string Key, bool Success, DateTimeOffset RecordedAt, string TurnId);

    /// <summary>
    /// The patterns an aging measures: shown (held by <paramref name="minUsers"/> over all databases) or knowledge. A
    /// user's memories all lie in one database, so the databases' holders add up.
    /// </summary>
    public static IReadOnlyList<(string Type, string Key)> Measurable(
        IEnumerable<HolderWeights> parts, int minUsers, IReadOnlySet<string> knowledge) =>
        parts.GroupBy(p => (p.Type, p.Key))
            .Where(g => g.Sum(p => p.Holders) >= minUsers || knowledge.Contains(Pattern.IdFor(g.Key.Type, g.Key.Key)))
            .Select(g => g.Key).ToList();

    /// <summary>
    /// The measured evidence of <paramref name="patterns"/> from every database's parts: the weights summed, and the
    /// success of the newest <paramref name="window"/> of their holders' rated turns (each database gives its newest
    /// that many, so the newest over all are among them), newest by time, then by turn id.
    /// </summary>
    public static IReadOnlyList<Measured> Combine(
        IReadOnlyList<(string Type, string Key)> patterns, IEnumerable<HolderWeights> weights, IEnumerable<HolderRating> ratings, int window)
    {
        var weight = weights.GroupBy(w => (w.Type, w.Key)).ToDictionary(g => g.Key, g => g.Sum(w => w.Weight));
        var rated = ratings.GroupBy(r => (r.Type, r.Key)).ToDictionary(g => g.Key, g => g
            .OrderByDescending(r => r.RecordedAt).ThenByDescending(r => r.TurnId, StringComparer.Ordinal).Take(window).ToList());
        return patterns
            .OrderBy(p => p.Type, StringComparer.Ordinal).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p =>
            {
                var recent = rated.GetValueOrDefault(p) ?? [];
                return new Measured(p.Type, p.Key, weight.GetValueOrDefault(p), recent.Count, recent.Count(r => r.Success));
            })
            .ToList();
    }

    /// <summary>How much a holder counts <paramref name="age"/> after their memory was last seen: halves every half-life.</summary>
    public static double Weight(TimeSpan age, double halfLifeDays) =>
        age <= TimeSpan.Zero ? 1 : Math.Pow(0.5, age.TotalDays / halfLifeDays);

    /// <param name="figures">The patterns' current figures (for the demotion events), by id.</param>
    public static IReadOnlyList<object> Decide(
        IReadOnlyList<Measured> measured, KnowledgeBook book, IReadOnlyDictionary<string, Promotion.Figures> figures, LearningSettings s,
        DateTimeOffset asOf, string requestedBy)
    {
        var aged = new List<AgedPattern>(measured.Count);
        var demotions = new List<object>();
        foreach (var m in measured)
        {
            var lows = 0;
            if (book.Promoted.ContainsKey(m.Id))
            {
                var previous = book.Aging.GetValueOrDefault(m.Id)?.LowAgings ?? 0;
                // Hysteresis: below the demotion threshold counts toward demotion, back at the promotion threshold clears
                // it, in between (or too few recent ratings to tell) leaves the count as it was.
                lows = RecentRate(m, s) switch
                {
                    { } rate when rate < s.DemotionBelowSuccessRate => previous + 1,
                    { } rate when rate >= s.PromotionMinSuccessRate => 0,
                    _ => previous
                };
                if (lows >= s.DecayDemotionAfterAgings)
                {
                    var f = figures.GetValueOrDefault(m.Id) ?? new Promotion.Figures(m.Type, m.Key, 0, 0, 0);
                    demotions.Add(new PatternDemoted(m.Type, m.Key, f.UserCount, f.RatedTurns, f.SuccessRate,
                        $"recent success below {s.DemotionBelowSuccessRate:0.##} for {lows} agings", asOf));
                    lows = 0;
                }
            }

            aged.Add(new AgedPattern(m.Type, m.Key, Math.Round(m.Weight, 6), m.RecentRatedTurns, m.RecentSuccesses, lows));
        }

        return [new PatternsAged(asOf, s.HalfLifeDays, s.RecentWindowRatedTurns, requestedBy, aged), .. demotions];
    }

    /// <summary>Recent success, when there are enough recent ratings to tell.</summary>
    public static double? RecentRate(Measured m, LearningSettings s) =>
        m.RecentRatedTurns >= s.RecentMinRatedTurns ? (double)m.RecentSuccesses / m.RecentRatedTurns : null;

    /// <summary>
    /// Whether the latest aging found the pattern failing of late: promotion waits until its recent success is back at the
    /// promotion threshold, so knowledge demoted by decay is not promoted again at once on its all-time figures.
    /// </summary>
    public static bool RecentlyFailing(KnowledgeBook? book, string patternId, LearningSettings s) =>
        book?.Aging.GetValueOrDefault(patternId) is { } a && a.RecentRatedTurns >= s.RecentMinRatedTurns
        && (double)a.RecentSuccesses / a.RecentRatedTurns < s.PromotionMinSuccessRate;
}
