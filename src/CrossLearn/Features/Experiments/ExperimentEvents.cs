using CrossLearn.Features.Memories;
using CrossLearn.Platform.Storage;

namespace CrossLearn.Features.Experiments;

// Appended to the knowledge stream (Learning.KnowledgeStream.Key), beside the promotions they inform, so a rebuild and a
// point-in-time read of that stream reproduce every experiment. Read strictly (Platform/Storage/StrictEventReading.cs).

/// <summary>
/// An A/B test of one pattern began: from now on users who neither hold nor contradict it are split by
/// <see cref="ExperimentArms"/> into a treatment arm (their context carries the pattern as knowledge) and a control arm
/// (it does not). <see cref="StartedBy"/>: the admin's user id, or <see cref="ExperimentStarters.Automatic"/>.
/// </summary>
public sealed record ExperimentStarted(
    Guid ExperimentId,
    string Type,
    string Key,
    double TreatmentShare,
    string StartedBy,
    DateTimeOffset StartedAt) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) =>
        EventShapes.Present(ExperimentId, "experiment id") ?? MemoryShapes.Slot(Type, Key)
        ?? (TreatmentShare is <= 0 or >= 1 || double.IsNaN(TreatmentShare) ? "a treatment share outside (0, 1)" : null);
}

/// <summary>An admin stopped a running experiment before its horizon: no verdict, and contexts no longer split on it.</summary>
public sealed record ExperimentStopped(
    Guid ExperimentId,
    string Type,
    string Key,
    string StoppedBy,
    DateTimeOffset StoppedAt) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) => EventShapes.Present(ExperimentId, "experiment id") ?? MemoryShapes.Slot(Type, Key);
}

/// <summary>
/// An experiment reached its horizon (both arms: enough users with a rated turn and enough rated turns) and was judged,
/// once: a fixed horizon, so looking at the running figures before it cannot change the verdict or its error rate.
/// </summary>
public sealed record ExperimentConcluded(
    Guid ExperimentId,
    string Type,
    string Key,
    string Verdict,
    ArmFigures Treatment,
    ArmFigures Control,
    double? Difference,
    double? Low,
    double? High,
    DateTimeOffset ConcludedAt) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) =>
        EventShapes.Present(ExperimentId, "experiment id") ?? MemoryShapes.Slot(Type, Key)
        ?? (!ExperimentVerdicts.All.Contains(Verdict) ? "an unknown verdict" : null)
        ?? (Treatment == null || Control == null ? "a missing arm" : null);
}

public static class ExperimentVerdicts
{
    /// <summary>The whole 95% interval of treatment - control is above zero.</summary>
    public const string Better = "better";
    /// <summary>The whole interval is below zero: giving the pattern makes answers worse.</summary>
    public const string Worse = "worse";
    /// <summary>The interval holds zero: no difference shown at this horizon.</summary>
    public const string Inconclusive = "inconclusive";

    public static readonly IReadOnlySet<string> All = new HashSet<string> { Better, Worse, Inconclusive };

    public static string Of(ArmComparison comparison) =>
        comparison.Low > 0 ? Better : comparison.High < 0 ? Worse : Inconclusive;
}

public static class ExperimentStarters
{
    /// <summary>Who started an experiment the promotion decider began on its own (a pattern with enough holders).</summary>
    public const string Automatic = "crosslearn:automatic";
}
