using CrossLearn.Features.Learning;
using JasperFx.Events;
using Marten.Events.Projections;

namespace CrossLearn.Features.Experiments;

public static class ExperimentStatuses
{
    public const string Running = "running";
    public const string Stopped = "stopped";
    public const string Concluded = "concluded";
}

/// <summary>An experiment as it stands: what it tests, its split, and whether it runs.</summary>
public sealed class Experiment
{
    public Guid Id { get; set; }
    public string Type { get; set; } = "";
    public string Key { get; set; } = "";
    public double TreatmentShare { get; set; }
    public string Status { get; set; } = ExperimentStatuses.Running;
    public string StartedBy { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    /// <summary>The knowledge stream's version at the start: what the experiment's exposures name the pattern by.</summary>
    public long StartedAtVersion { get; set; }
    public string? StoppedBy { get; set; }
    public DateTimeOffset? StoppedAt { get; set; }
    /// <summary>When concluded: the verdict and the figures it was given on.</summary>
    public string? Verdict { get; set; }
    public ArmComparison? Result { get; set; }
    public DateTimeOffset? ConcludedAt { get; set; }

    public string PatternId => Pattern.IdFor(Type, Key);
}

/// <summary>Inline over the knowledge stream, which has one writer at a time (as the knowledge projection).</summary>
public sealed partial class ExperimentProjection : MultiStreamProjection<Experiment, Guid>
{
    public ExperimentProjection()
    {
        Identity<ExperimentStarted>(e => e.ExperimentId);
        Identity<ExperimentStopped>(e => e.ExperimentId);
        Identity<ExperimentConcluded>(e => e.ExperimentId);
    }

    public static IReadOnlyList<Guid> IdsOf(object data) => data switch
    {
        ExperimentStarted e => [e.ExperimentId],
        ExperimentStopped e => [e.ExperimentId],
        ExperimentConcluded e => [e.ExperimentId],
        _ => []
    };

    public override Experiment? Evolve(Experiment? snapshot, Guid id, IEvent e) => e.Data switch
    {
        ExperimentStarted started when snapshot == null => new Experiment
        {
            Id = started.ExperimentId,
            Type = started.Type,
            Key = started.Key,
            TreatmentShare = started.TreatmentShare,
            StartedBy = started.StartedBy,
            StartedAt = started.StartedAt,
            StartedAtVersion = e.Version
        },
        ExperimentStopped stopped when snapshot != null => Stopped(snapshot, stopped),
        ExperimentConcluded concluded when snapshot != null => Concluded(snapshot, concluded),
        _ => snapshot
    };

    private static Experiment Concluded(Experiment experiment, ExperimentConcluded e)
    {
        experiment.Status = ExperimentStatuses.Concluded;
        experiment.Verdict = e.Verdict;
        experiment.Result = new ArmComparison(e.Treatment, e.Control, e.Difference, e.Low, e.High);
        experiment.ConcludedAt = e.ConcludedAt;
        return experiment;
    }

    private static Experiment Stopped(Experiment experiment, ExperimentStopped e)
    {
        experiment.Status = ExperimentStatuses.Stopped;
        experiment.StoppedBy = e.StoppedBy;
        experiment.StoppedAt = e.StoppedAt;
        return experiment;
    }
}
