using CrossLearn.Features.Learning;

namespace CrossLearn.Tests.Units;

public sealed class SuccessPredictionTests
{
    private static readonly Evidence None = new(0, 0);
    private static readonly Evidence Population = new(10_000, 7_000);

    [Fact]
    public void Without_evidence_the_prediction_is_even_and_with_the_population_alone_it_is_the_global_rate()
    {
        Assert.Equal(0.5, SuccessPrediction.Predict(None, None), 10);
        Assert.Equal(7_001.0 / 10_002, SuccessPrediction.Predict(Population, None), 10);
    }

    [Fact]
    public void A_users_own_rate_is_shrunk_toward_the_global_one()
    {
        var g = SuccessPrediction.Global(Population);
        // Ten of ten against ten pseudo-turns at the global rate.
        Assert.Equal((10 + 10 * g) / 20, SuccessPrediction.Predict(Population, new Evidence(10, 10)), 10);
        Assert.True(SuccessPrediction.Predict(Population, new Evidence(1_000, 1_000)) > 0.99);
    }

    [Fact]
    public void An_item_that_did_better_given_than_withheld_lifts_every_user_and_one_that_did_worse_lowers_them()
    {
        var helps = (Given: new Evidence(400, 320), Withheld: new Evidence(400, 240));
        var hurts = (Given: new Evidence(400, 200), Withheld: new Evidence(400, 280));
        foreach (var user in new[] { None, new Evidence(40, 4), new Evidence(40, 39) })
        {
            var plain = SuccessPrediction.Predict(Population, user);
            Assert.True(SuccessPrediction.Predict(Population, user, helps.Given, helps.Withheld) > plain);
            Assert.True(SuccessPrediction.Predict(Population, user, hurts.Given, hurts.Withheld) < plain);
        }

        Assert.Equal(0, SuccessPrediction.Lift(Population, new Evidence(10, 9), null));
        Assert.Equal(0, SuccessPrediction.Lift(Population, new Evidence(10, 9), None));
    }

    [Fact]
    public void A_user_rarely_pleased_is_predicted_lower_than_a_happy_one_for_the_same_item()
    {
        var given = new Evidence(100, 80);
        var withheld = new Evidence(100, 70);
        Assert.True(SuccessPrediction.Predict(Population, new Evidence(40, 4), given, withheld)
                    < SuccessPrediction.Predict(Population, new Evidence(40, 39), given, withheld));
    }

    [Fact]
    public void The_users_own_rate_baseline_starts_from_an_even_prior() =>
        Assert.Equal(4.0 / 12, SuccessPrediction.UsersOwnRate(new Evidence(10, 3)), 10);
}
