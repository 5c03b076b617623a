using CrossLearn.Platform.Storage;

namespace CrossLearn.Features.Clusters;

// A run's own stream (crosslearn:clustering:<run id>) holds what it did, with counts only: no user ids, so the run's
// record outlives any user's erasure. Each user's cluster is an event on that user's own stream, written only when it
// changes, so an erasure takes it with the rest of the user and a point-in-time read of a user sees their cluster then.

/// <summary>A clustering run began, as of <paramref name="AsOf"/> (the memories it reads are those of that moment).</summary>
public sealed record ClusteringStarted(
    Guid RunId, string Algorithm, ClusteringParameters Parameters, string RequestedBy, DateTimeOffset AsOf) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) => EventShapes.Present(RunId, "run id") ?? (Parameters == null ? "no parameters" : null);
}

/// <summary>How far a run's writing of changed memberships has come.</summary>
public sealed record ClusteringProgressed(Guid RunId, int UsersWritten, int UsersToWrite, DateTimeOffset At) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) => EventShapes.Present(RunId, "run id");
}

/// <summary>
/// A run ended: the number of clusters chosen and how (<paramref name="Tried"/>), each cluster's size, how many users
/// were clustered and how many changed cluster.
/// </summary>
public sealed record ClusteringCompleted(
    Guid RunId, int Clusters, IReadOnlyList<ClusterSize> Sizes, IReadOnlyList<ClusterCount> Tried, int Tokens, int UsersClustered,
    int UsersChanged, int UsersUnclustered, DateTimeOffset CompletedAt) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) => EventShapes.Present(RunId, "run id") ?? (Sizes == null ? "no sizes" : null);
}

public sealed record ClusterSize(int ClusterId, int Users);

/// <summary>A run stopped on an error (its message names no user): the memberships it wrote stand, the rest were not written.</summary>
public sealed record ClusteringFailed(Guid RunId, string Reason, DateTimeOffset At) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) => EventShapes.Present(RunId, "run id");
}

/// <summary>On the user's stream: from this run on, the user is in cluster <paramref name="ClusterId"/>.</summary>
public sealed record UserClustered(string UserId, Guid RunId, int ClusterId, DateTimeOffset AsOf) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) => EventShapes.Owner(streamKey, UserId) ?? EventShapes.Present(RunId, "run id");
}

/// <summary>On the user's stream: from this run on, the user is in no cluster (nothing they taught is shared any more).</summary>
public sealed record UserUnclustered(string UserId, Guid RunId, DateTimeOffset AsOf) : IEventFacts
{
    string? IEventFacts.ShapeProblem(string? streamKey) => EventShapes.Owner(streamKey, UserId) ?? EventShapes.Present(RunId, "run id");
}

public static class ClusteringStream
{
    public const string Prefix = Platform.Http.UserIds.ReservedPrefix + "clustering:";
    public static string For(Guid runId) => Prefix + runId.ToString("N");
}
