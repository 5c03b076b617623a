namespace CrossLearn.Features.Learning;

/// <summary>Rated and successful turns: the evidence at one level of the prediction.</summary>
public sealed record Evidence(long Rated, long Successes);

/// <summary>
/// The probability that a turn given with an item succeeds for a user: a hierarchical Beta-Binomial estimate
/// (docs/learning.md, "Success prediction"). The global rate starts from a uniform prior; the item's rate (its holders'
/// rated turns) is shrunk toward the global one by <see cref="ItemPriorTurns"/> pseudo-turns; the user's own rate is
/// shrunk toward the global one by <see cref="UserPriorTurns"/>; the user's lean is then added to the item's rate on the
/// log-odds scale, so a user who is rarely pleased is predicted lower for every item, and an item that does well
/// higher for every user. Pure: evidence in, a probability out.
/// </summary>
public static class SuccessPrediction
{
    public const double ItemPriorTurns = 20;
    public const double UserPriorTurns = 10;

    public static double Global(Evidence global) => (global.Successes + 1.0) / (global.Rated + 2.0);

    public static double Item(Evidence global, Evidence item) => Shrunk(item, Global(global), ItemPriorTurns);

    public static double User(Evidence global, Evidence user) => Shrunk(user, Global(global), UserPriorTurns);

    public static double Predict(Evidence global, Evidence item, Evidence user)
    {
        var g = Global(global);
        return Sigmoid(Logit(Item(global, item)) + Logit(User(global, user)) - Logit(g));
    }

    /// <summary>The baseline "the user's own rate" (uniform prior), for the evaluation.</summary>
    public static double UsersOwnRate(Evidence user) => (user.Successes + 1.0) / (user.Rated + 2.0);

    private static double Shrunk(Evidence e, double prior, double strength) => (e.Successes + strength * prior) / (e.Rated + strength);

    private static double Logit(double p)
    {
        var q = Math.Clamp(p, 1e-6, 1 - 1e-6);
        return Math.Log(q / (1 - q));
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));
}
