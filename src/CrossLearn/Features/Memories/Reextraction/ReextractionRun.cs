using JasperFx.Events;
using Marten.Events.Aggregation;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;

namespace CrossLearn.Features.Memories.Reextraction;

// A run's own stream (crosslearn:reextraction:<run id>). Its cursor is an event sequence, never a user id: the run
// record outlives any user's erasure.

public sealed record ReextractionStarted(
    Guid RunId,
    string ExtractorVersion,
    string RequestedBy,
    int UsersTotal,
    DateTimeOffset StartedAt) : IEventFacts;

/// <summary>
/// Users up to <see cref="Cursor"/> (the sequence of a user's first event) in <see cref="CursorDatabase"/> are done, and
/// every user of the shard databases before it in the pool. Null <see cref="CursorDatabase"/> (events of before the
/// pool): the first database.
/// </summary>
public sealed record ReextractionProgressed(
    Guid RunId,
    long Cursor,
    int UsersDone,
    int UsersTotal,
    int EventsAppended,
    int UsersSkipped,
    DateTimeOffset At,
    string? CursorDatabase = null) : IEventFacts;

/// <summary>A run that stopped half-way (its node died) goes on from its cursor.</summary>
public sealed record ReextractionResumed(
    Guid RunId,
    string RequestedBy,
    DateTimeOffset At) : IEventFacts;

public sealed record ReextractionCompleted(
    Guid RunId,
    int UsersDone,
    int EventsAppended,
    int UsersSkipped,
    DateTimeOffset CompletedAt) : IEventFacts;

public static class ReextractionStream
{
    public const string Prefix = Platform.Http.UserIds.ReservedPrefix + "reextraction:";
    public static string For(Guid runId) => Prefix + runId.ToString("N");
}

public sealed class ReextractionRun
{
    public const string Running = "running";
    public const string Completed = "completed";

    public string Id { get; set; } = "";
    public Guid RunId { get; set; }
    public string ExtractorVersion { get; set; } = "";
    public string RequestedBy { get; set; } = "";
    public string Status { get; set; } = Running;
    public int UsersTotal { get; set; }
    public int UsersDone { get; set; }
    public int UsersSkipped { get; set; }
    public int EventsAppended { get; set; }
    public long Cursor { get; set; }
    /// <summary>The shard database <see cref="Cursor"/> is a sequence of; null: the first.</summary>
    public string? CursorDatabase { get; set; }
    public int Resumes { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset LastProgressAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

/// <summary>Inline: a run's progress is readable the moment it is recorded (409 answers and the admin tools read it).</summary>
public sealed partial class ReextractionRunProjection : SingleStreamProjection<ReextractionRun, string>
{
    public ReextractionRunProjection()
    {
        IncludeType<ReextractionStarted>();
        IncludeType<ReextractionProgressed>();
        IncludeType<ReextractionResumed>();
        IncludeType<ReextractionCompleted>();
    }

    public override ReextractionRun? Evolve(ReextractionRun? snapshot, string id, IEvent e)
    {
        switch (e.Data)
        {
            case ReextractionStarted s:
                return new ReextractionRun
                {
                    Id = id, RunId = s.RunId, ExtractorVersion = s.ExtractorVersion, RequestedBy = s.RequestedBy, UsersTotal = s.UsersTotal,
                    StartedAt = s.StartedAt, LastProgressAt = s.StartedAt
                };
            case ReextractionProgressed p when snapshot != null:
                snapshot.Cursor = p.Cursor;
                snapshot.CursorDatabase = p.CursorDatabase;
                snapshot.UsersDone = p.UsersDone;
                snapshot.UsersTotal = p.UsersTotal;
                snapshot.EventsAppended = p.EventsAppended;
                snapshot.UsersSkipped = p.UsersSkipped;
                snapshot.LastProgressAt = p.At;
                return snapshot;
            case ReextractionResumed r when snapshot != null:
                snapshot.Resumes++;
                snapshot.LastProgressAt = r.At;
                return snapshot;
            case ReextractionCompleted c when snapshot != null:
                snapshot.Status = ReextractionRun.Completed;
                snapshot.UsersDone = c.UsersDone;
                snapshot.EventsAppended = c.EventsAppended;
                snapshot.UsersSkipped = c.UsersSkipped;
                snapshot.CompletedAt = c.CompletedAt;
                snapshot.LastProgressAt = c.CompletedAt;
                return snapshot;
            default:
                return snapshot;
        }
    }
}
