using CrossLearn.Features.Turns;
using CrossLearn.Platform.Storage;
using JasperFx.Events;
using Marten.Events.Projections;

namespace CrossLearn.Features.Experiments;

/// <summary>One user's rated turns in one experiment, in their arm: the unit the experiment's figures are made of.</summary>
public sealed class ExperimentOutcome
{
    public string Id { get; set; } = "";
    public Guid ExperimentId { get; set; }
    public string UserId { get; set; } = "";
    public string Arm { get; set; } = "";
    public int Rated { get; set; }
    public int Successes { get; set; }

    public static string IdFor(Guid experimentId, string userId) => $"{experimentId:N}\u001f{userId}";
}

/// <summary>
/// Inline from the users' ratings (each carries its turn's experiment exposures), so an experiment's figures are current
/// when it is judged. A document per (experiment, user) is written only by that user's stream, whose writers take turns.
/// </summary>
public sealed partial class ExperimentOutcomeProjection : MultiStreamProjection<ExperimentOutcome, string>
{
    public ExperimentOutcomeProjection()
    {
        Identities<FeedbackGiven>(e => [.. IdsOf(e)]);
    }

    public static IReadOnlyList<string> IdsOf(object data) =>
        data is FeedbackGiven { Trials: { Count: > 0 } trials } f
            ? [.. trials.Where(t => t.ExperimentId != null).Select(t => ExperimentOutcome.IdFor(t.ExperimentId!.Value, f.UserId)).Distinct()]
            : [];

    public override ExperimentOutcome? Evolve(ExperimentOutcome? snapshot, string id, IEvent e)
    {
        if (e.Data is not FeedbackGiven feedback) return snapshot;
        if (EventShapes.Rejection(e) is { } rejection) throw rejection;
        var trial = feedback.Trials?.FirstOrDefault(t => t.ExperimentId is { } experiment && ExperimentOutcome.IdFor(experiment, feedback.UserId) == id);
        if (trial == null) return snapshot;

        var outcome = snapshot ?? new ExperimentOutcome { Id = id, ExperimentId = trial.ExperimentId!.Value, UserId = feedback.UserId, Arm = trial.Arm ?? "" };
        // A re-rating replaces the earlier one: the turn counts once, with its latest rating.
        if (feedback.PreviousSuccess == null) outcome.Rated++;
        else if (feedback.PreviousSuccess.Value) outcome.Successes--;
        if (feedback.Success) outcome.Successes++;
        return outcome;
    }
}
