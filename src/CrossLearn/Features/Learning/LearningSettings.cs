namespace CrossLearn.Features.Learning;

/// <summary>The thresholds of cross-user learning (configuration section <c>Learning</c>); docs/learning.md explains them.</summary>
public sealed class LearningSettings
{
    public const string Section = "Learning";

    /// <summary>A memory counts toward a pattern from this confidence on.</summary>
    public double PatternMinConfidence { get; set; } = 0.7;

    /// <summary>Distinct holders before a pattern is shown (k-anonymity: never below 2).</summary>
    public int PatternMinUsers { get; set; } = 2;

    public int PromotionMinUsers { get; set; } = 5;
    public double PromotionMinSuccessRate { get; set; } = 0.80;
    public int PromotionMinRatedTurns { get; set; } = 20;

    /// <summary>Promoted knowledge is demoted below these (lower than promotion's, so it does not flap).</summary>
    public int DemotionBelowUsers { get; set; } = 4;
    public double DemotionBelowSuccessRate { get; set; } = 0.75;

    /// <summary>Aging (docs/learning.md, "Decay"): a holder counts with a weight that halves every this many days since
    /// their memory was last seen.</summary>
    public double HalfLifeDays { get; set; } = 90;

    /// <summary>A pattern's recent success is that of its holders' last this many rated turns...</summary>
    public int RecentWindowRatedTurns { get; set; } = 50;

    /// <summary>... judged only with at least this many of them.</summary>
    public int RecentMinRatedTurns { get; set; } = 10;

    /// <summary>Knowledge whose recent success stays below <see cref="DemotionBelowSuccessRate"/> for this many agings in a row is demoted.</summary>
    public int DecayDemotionAfterAgings { get; set; } = 2;

    /// <summary>How often the patterns are aged on their own (0: only when an admin asks).</summary>
    public double AgeEveryHours { get; set; } = 24;

    /// <summary><see cref="PromotionPolicies"/>: the seed's rule alone, or with a winning experiment.</summary>
    public string PromotionPolicy { get; set; } = PromotionPolicies.Seed;

    /// <summary>How often the promotion watcher looks for changed patterns.</summary>
    public int PromotionPollMilliseconds { get; set; } = 200;

    public static LearningSettings Load(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<LearningSettings>() ?? new LearningSettings();
        if (settings.PatternMinUsers < 2)
            throw new InvalidOperationException("Learning:PatternMinUsers may not be below 2: a pattern of one user would expose that user.");
        if (settings.DemotionBelowUsers > settings.PromotionMinUsers || settings.DemotionBelowSuccessRate > settings.PromotionMinSuccessRate)
            throw new InvalidOperationException("Learning: demotion thresholds must not exceed promotion thresholds.");
        if (settings.HalfLifeDays <= 0 || settings.RecentMinRatedTurns < 1 || settings.RecentWindowRatedTurns < settings.RecentMinRatedTurns
            || settings.DecayDemotionAfterAgings < 1 || settings.AgeEveryHours < 0)
            throw new InvalidOperationException("Learning: HalfLifeDays > 0, 1 <= RecentMinRatedTurns <= RecentWindowRatedTurns, DecayDemotionAfterAgings >= 1, AgeEveryHours >= 0.");
        if (!PromotionPolicies.All.Contains(settings.PromotionPolicy))
            throw new InvalidOperationException($"Learning:PromotionPolicy must be one of {string.Join(", ", PromotionPolicies.All)}.");
        return settings;
    }
}
