namespace CrossLearn.Features.Learning;

/// <summary>Rated and successful turns: the evidence at one level of the prediction.</summary>
public sealed record Evidence(long Rated, long Successes);

/// <summary>
/// The probability that a turn given with an item succeeds for a user: a hierarchical Beta-Binomial estimate
/// (docs/learning.md, "Success prediction"), global -> item -> user. The global rate starts from a uniform prior. The user's
/// own rate is shrunk toward it by <see cref="UserPriorTurns"/> pseudo-turns. The item's level is its lift: the success
/// of turns given with it against turns it was withheld from (an experiment's arms), each shrunk toward the global rate
/// by <see cref="ItemPriorTurns"/>, added on the log-odds scale. Without such evidence the lift is 0: the holders' own
/// success is not used, because holders are not a random sample (the simulator shows it misleads). Pure.
/// </summary>
public static class SuccessPrediction
{
    public const double ItemPriorTurns = 20;
    public const double UserPriorTurns = 10;

    public static double Global(Evidence global) => (global.Successes + 1.0) / (global.Rated + 2.0);

    public static double User(Evidence global, Evidence user) => Shrunk(user, Global(global), UserPriorTurns);

    /// <summary>The item's effect on the log-odds: given (treated) against withheld (control); 0 without both.</summary>
    public static double Lift(Evidence global, Evidence? given, Evidence? withheld)
    {
        if (given is not { Rated: > 0 } t || withheld is not { Rated: > 0 } c) return 0;
        var g = Global(global);
        return Logit(Shrunk(t, g, ItemPriorTurns)) - Logit(Shrunk(c, g, ItemPriorTurns));
    }

    public static double Predict(Evidence global, Evidence user, Evidence? given = null, Evidence? withheld = null) =>
        Sigmoid(Logit(User(global, user)) + Lift(global, given, withheld));

    /// <summary>The baseline "the user's own rate" (uniform prior), for the evaluation.</summary>
    public static double UsersOwnRate(Evidence user) => (user.Successes + 1.0) / (user.Rated + 2.0);

    private static double Shrunk(Evidence e, double prior, double strength) => (e.Successes + strength * prior) / (e.Rated + strength);

    public static double Logit(double p)
    {
        var q = Math.Clamp(p, 1e-6, 1 - 1e-6);
        return Math.Log(q / (1 - q));
    }

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
