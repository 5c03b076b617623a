namespace CrossLearn.Features.Experiments;

/// <summary>One user's rated turns in one arm of an experiment: the unit of randomisation, and so of the analysis.</summary>
public sealed record UserOutcome(int Rated, int Successes);

/// <summary>An arm's figures: users with a rated turn, rated and successful turns, the success rate (a ratio of sums).</summary>
public sealed record ArmFigures(int Users, int RatedTurns, int Successes)
{
    public double? SuccessRate => RatedTurns == 0 ? null : (double)Successes / RatedTurns;
}

/// <summary>Treatment against control: the difference of success rates with its 95% interval (null below two users an arm).</summary>
public sealed record ArmComparison(ArmFigures Treatment, ArmFigures Control, double? Difference, double? Low, double? High);

/// <summary>
/// The comparison of two arms. Users, not turns, are randomised, and one user's turns are not independent (a user
/// pleased by the assistant rates many turns well), so the variance of each arm's rate is the cluster-robust (delta
/// method) variance of a ratio of sums over users; with one turn per user it is the usual binomial one. The interval
/// is the normal one on the difference (docs/learning.md, "Experiments").
/// </summary>
public static class ExperimentStatistics
{
    /// <summary>The two-sided 95% normal quantile.</summary>
    public const double Z95 = 1.959963984540054;

    public static ArmComparison Compare(IReadOnlyCollection<UserOutcome> treatment, IReadOnlyCollection<UserOutcome> control)
    {
        var (t, tVariance) = Arm(treatment);
        var (c, cVariance) = Arm(control);
        if (t.SuccessRate is not { } tRate || c.SuccessRate is not { } cRate) return new ArmComparison(t, c, null, null, null);
        var difference = tRate - cRate;
        if (tVariance is not { } tv || cVariance is not { } cv) return new ArmComparison(t, c, difference, null, null);
        var margin = Z95 * Math.Sqrt(tv + cv);
        return new ArmComparison(t, c, difference, difference - margin, difference + margin);
    }

    private static (ArmFigures Figures, double? Variance) Arm(IReadOnlyCollection<UserOutcome> outcomes)
    {
        var rated = outcomes.Where(o => o.Rated > 0).ToList();
        var figures = new ArmFigures(rated.Count, rated.Sum(o => o.Rated), rated.Sum(o => o.Successes));
        if (rated.Count < 2) return (figures, null);

        var n = rated.Count;
        var rate = (double)figures.Successes / figures.RatedTurns;
        var meanRated = (double)figures.RatedTurns / n;
        // The residuals of each user's successes from what the arm's rate predicts for their number of rated turns.
        var residualVariance = rated.Sum(o => Math.Pow(o.Successes - rate * o.Rated, 2)) / (n - 1);
        return (figures, residualVariance / (n * meanRated * meanRated));
    }
}
