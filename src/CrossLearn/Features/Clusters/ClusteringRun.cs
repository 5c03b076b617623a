using JasperFx.Events;
using Marten.Events.Aggregation;

namespace CrossLearn.Features.Clusters;

/// <summary>A clustering run and its progress (id: its stream); only counts, never a user id.</summary>
public sealed class ClusteringRun
{
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";

    public string Id { get; set; } = "";
    public Guid RunId { get; set; }
    public string Status { get; set; } = Running;
    public string Algorithm { get; set; } = "";
    public ClusteringParameters Parameters { get; set; } = new();
    public string RequestedBy { get; set; } = "";
    public DateTimeOffset AsOf { get; set; }
    public int UsersWritten { get; set; }
    public int UsersToWrite { get; set; }
    public int Clusters { get; set; }
    public List<ClusterSize> Sizes { get; set; } = [];
    public List<ClusterCount> Tried { get; set; } = [];
    public int Tokens { get; set; }
    public int UsersClustered { get; set; }
    public int UsersChanged { get; set; }
    public int UsersUnclustered { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public string? FailedBecause { get; set; }
}

public sealed partial class ClusteringRunProjection : SingleStreamProjection<ClusteringRun, string>
{
    public ClusteringRunProjection()
    {
        IncludeType<ClusteringStarted>();
        IncludeType<ClusteringProgressed>();
        IncludeType<ClusteringCompleted>();
        IncludeType<ClusteringFailed>();
    }

    public override ClusteringRun? Evolve(ClusteringRun? snapshot, string id, IEvent e)
    {
        var run = snapshot ?? new ClusteringRun { Id = id };
        switch (e.Data)
        {
            case ClusteringStarted s:
                (run.RunId, run.Algorithm, run.Parameters, run.RequestedBy, run.AsOf) = (s.RunId, s.Algorithm, s.Parameters, s.RequestedBy, s.AsOf);
                break;
            case ClusteringProgressed p:
                (run.UsersWritten, run.UsersToWrite) = (p.UsersWritten, p.UsersToWrite);
                break;
            case ClusteringCompleted c:
                run.Status = ClusteringRun.Completed;
                (run.Clusters, run.Sizes, run.Tried, run.Tokens) = (c.Clusters, [.. c.Sizes], [.. c.Tried], c.Tokens);
                (run.UsersClustered, run.UsersChanged, run.UsersUnclustered, run.CompletedAt) = (c.UsersClustered, c.UsersChanged, c.UsersUnclustered, c.CompletedAt);
                break;
            case ClusteringFailed f:
                (run.Status, run.FailedBecause, run.CompletedAt) = (ClusteringRun.Failed, f.Reason, f.At);
                break;
        }

        return run;
    }
}
