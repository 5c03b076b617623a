using CrossLearn.Features.Learning;

namespace CrossLearn.Tests.Units;

public sealed class SuccessPredictionTests
{
    private static readonly Evidence None = new(0, 0);
    private static readonly Evidence Population = new(10_000, 7_000);

    [Fact]
    public void Without_evidence_the_prediction_is_even_and_with_the_population_alone_it_is_the_global_rate()
    {
        Assert.Equal(0.5, SuccessPrediction.Predict(None, None, None), 10);
        Assert.Equal(7_001.0 / 10_002, SuccessPrediction.Predict(Population, None, None), 10);
    }

    [Fact]
    public void An_item_that_does_well_is_predicted_higher_the_more_evidence_it_has()
    {
        var few = SuccessPrediction.Predict(Population, new Evidence(10, 10), None);
        var many = SuccessPrediction.Predict(Population, new Evidence(1_000, 1_000), None);

        Assert.True(SuccessPrediction.Global(Population) < few && few < many, $"{few} {many}");
        Assert.True(many > 0.99);
        // Ten of ten against twenty pseudo-turns at 0.7: (10 + 14) / 30.
        Assert.Equal(24.0 / 30, few, 3);
    }

    [Fact]
    public void A_user_rarely_pleased_is_predicted_lower_for_every_item_and_a_happy_one_higher()
    {
        foreach (var item in new[] { None, new Evidence(50, 45), new Evidence(50, 10) })
        {
            var grumpy = SuccessPrediction.Predict(Population, item, new Evidence(40, 4));
            var anyone = SuccessPrediction.Predict(Population, item, None);
            var happy = SuccessPrediction.Predict(Population, item, new Evidence(40, 39));
            Assert.True(grumpy < anyone && anyone < happy, $"{grumpy} {anyone} {happy}");
        }
    }

    [Fact]
    public void The_users_own_rate_baseline_starts_from_an_even_prior() =>
        Assert.Equal(4.0 / 12, SuccessPrediction.UsersOwnRate(new Evidence(10, 3)), 10);
}
