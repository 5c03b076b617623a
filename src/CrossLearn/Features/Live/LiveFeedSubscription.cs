using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Turns;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Marten.Subscriptions;

namespace CrossLearn.Features.Live;

/// <summary>
/// Turns recorded events into live notifications. A Marten subscription, not a projection: it runs on one node,
/// in event order, and a projection rebuild does not replay it. Its rows are written in the same transaction as
/// its progress, so a notification is neither lost nor doubled by a crash.
/// </summary>
public sealed class LiveFeedSubscription : SubscriptionBase
{
    public const string SubscriptionName = "LiveFeed";

    public LiveFeedSubscription()
    {
        Name = SubscriptionName;
        IncludeType<TurnRecorded>();
        IncludeType<FeedbackGiven>();
        IncludeType<MemoryLearned>();
        IncludeType<MemoryReinforced>();
        IncludeType<MemoryReplaced>();
        IncludeType<MemoryRetracted>();
        IncludeType<MemoryRekeyed>();
        IncludeType<Memories.Reextraction.ReextractionProgressed>();
        IncludeType<Memories.Reextraction.ReextractionCompleted>();
        IncludeType<PatternPromoted>();
        IncludeType<PatternDemoted>();
        IncludeType<AggregationCompleted>();
        IncludeType<PatternsAged>();
        IncludeType<Experiments.ExperimentStarted>();
        IncludeType<Experiments.ExperimentStopped>();
        IncludeType<Experiments.ExperimentConcluded>();
        IncludeType<Clusters.UserClustered>();
        IncludeType<Clusters.UserUnclustered>();
        IncludeType<Clusters.ClusteringProgressed>();
        IncludeType<Clusters.ClusteringCompleted>();
        IncludeType<Clusters.ClusterPatternPromoted>();
        IncludeType<Clusters.ClusterPatternDemoted>();
        IncludeType<Clusters.ClusterKnowledgeEvaluated>();
        IncludeType<Privacy.UserErasureStarted>();
    }

    public override Task<IChangeListener> ProcessEventsAsync(
        EventRange page, ISubscriptionController controller, IDocumentOperations operations, CancellationToken ct)
    {
        foreach (var e in page.Events)
        {
            // An event of a shape this version does not know would become a notification of nulls, or one without
            // a user (sent to everyone): dead-lettered and skipped instead, in the same transaction as the page's
            // progress; the rest of the page goes out.
            if (EventShapes.Rejection(e) is { } rejection)
            {
                operations.Store(DeadLetterRecords.For(SubscriptionName, e, rejection));
                continue;
            }

            // Notifications this subscription wrote for the user's earlier events, perhaps after the erasure had
            // already deleted the user's rows, go now: the subscription reaches the marker after all of them.
            if (e.Data is Privacy.UserErasureStarted erased)
            {
                operations.QueueSqlCommand(LiveFeed.DeleteForUserSql, erased.UserId);
                continue;
            }

            foreach (var (userId, type, payload) in Notifications(e.Data))
                operations.QueueSqlCommand(LiveFeed.InsertSql, LiveFeed.InsertArguments(userId, type, payload));
        }

        return Task.FromResult(NullChangeListener.Instance);
    }

    /// <summary>What the feed says of an event: for its user (null: for the admins), of which type, with what payload.</summary>
    public static IEnumerable<(string? UserId, string Type, object Payload)> Notifications(object data)
    {
        var userId = (data as IEventFacts)?.UserId;
        return Payloads(data).Select(p => (userId, p.Type, p.Payload));
    }

    private static IEnumerable<(string Type, object Payload)> Payloads(object data)
    {
        switch (data)
        {
            case TurnRecorded t:
                yield return ("conversation.saved", new { t.TurnId, t.ConversationId, t.UserMessage, t.AiResponse, t.RecordedAt });
                yield return ("analytics.updated", new { reason = "turn" });
                break;
            case FeedbackGiven f:
                yield return ("conversation.saved", new { f.TurnId, f.Success });
                yield return ("analytics.updated", new { reason = "feedback" });
                break;
            // The whole change, so that a page applies it without reading the memories again.
            case MemoryLearned m:
                yield return ("memory.learned", new { Change = "learned", m.Type, m.Key, m.Value, m.Confidence, m.TurnId, m.Category, m.ExtractorVersion, At = m.LearnedAt });
                break;
            case MemoryReinforced m:
                yield return ("memory.learned", new { Change = "reinforced", m.Type, m.Key, m.Value, m.Confidence, m.TurnId, m.Category, m.ExtractorVersion, At = m.SeenAt });
                break;
            case MemoryReplaced m:
                yield return ("memory.learned", new { Change = "replaced", m.Type, m.Key, m.Value, m.Confidence, m.TurnId, m.Category, m.ExtractorVersion, At = m.ReplacedAt });
                break;
            case MemoryRetracted m:
                yield return ("memory.retracted", new { m.Type, m.Key, m.Reason });
                yield return ("analytics.updated", new { reason = "memory" });
                break;
            case MemoryRekeyed m:
                yield return ("memory.rekeyed", new { m.Type, m.OldKey, m.NewKey, m.Category, m.ExtractorVersion });
                break;
            case Memories.Reextraction.ReextractionProgressed r:
                // Figures only, for the admin tools: which users were done is not said.
                yield return ("reextraction.progress", new { r.RunId, r.UsersDone, r.UsersTotal, r.EventsAppended, r.At });
                break;
            case Memories.Reextraction.ReextractionCompleted r:
                yield return ("reextraction.completed", new { r.RunId, r.UsersDone, r.EventsAppended, r.CompletedAt });
                break;
            case PatternPromoted p:
                yield return ("knowledge.promoted", new { p.Type, p.Key, p.UserCount, p.SuccessRate, p.PromotedAt });
                break;
            case PatternDemoted p:
                yield return ("knowledge.demoted", new { p.Type, p.Key, p.UserCount, p.SuccessRate, p.Reason });
                break;
            case PatternsAged a:
                // The figures are in the patterns' and knowledge's lists (fetched again); the feed says when and how many.
                yield return ("patterns.aged", new { a.AsOf, Patterns = a.Patterns.Count, a.HalfLifeDays, a.RecentWindowRatedTurns });
                break;
            // Who started or stopped an experiment stays in the event store; the feed carries what and the figures.
            case Experiments.ExperimentStarted x:
                yield return ("experiment.started", new { x.ExperimentId, x.Type, x.Key, x.TreatmentShare, x.StartedAt });
                break;
            case Experiments.ExperimentStopped x:
                yield return ("experiment.stopped", new { x.ExperimentId, x.Type, x.Key, x.StoppedAt });
                break;
            case Experiments.ExperimentConcluded x:
                yield return ("experiment.concluded", new { x.ExperimentId, x.Type, x.Key, x.Verdict, x.Treatment, x.Control, x.Difference, x.Low, x.High, x.ConcludedAt });
                break;
            // A user's own cluster, to that user; the runs' figures to the admin tools (counts only, never who).
            case Clusters.UserClustered c:
                yield return ("cluster.changed", new { ClusterId = (int?)c.ClusterId, c.RunId, c.AsOf });
                break;
            case Clusters.UserUnclustered c:
                yield return ("cluster.changed", new { ClusterId = (int?)null, c.RunId, c.AsOf });
                break;
            case Clusters.ClusteringProgressed c:
                yield return ("clustering.progress", new { c.RunId, c.UsersWritten, c.UsersToWrite, c.At });
                break;
            case Clusters.ClusteringCompleted c:
                yield return ("clustering.completed", new { c.RunId, c.Clusters, c.Sizes, c.UsersClustered, c.UsersChanged, c.UsersUnclustered, c.CompletedAt });
                break;
            // Cluster knowledge: figures of a cluster, never who holds it.
            case Clusters.ClusterPatternPromoted p:
                yield return ("cluster-knowledge.promoted", new { p.ClusterId, p.Type, p.Key, p.UserCount, p.SuccessRate, p.PromotedAt });
                break;
            case Clusters.ClusterPatternDemoted p:
                yield return ("cluster-knowledge.demoted", new { p.ClusterId, p.Type, p.Key, p.UserCount, p.SuccessRate, p.Reason, p.DemotedAt });
                break;
            case Clusters.ClusterKnowledgeEvaluated x:
                yield return ("cluster-knowledge.evaluated", new { x.Clusters, x.Patterns, x.Knowledge, x.Promoted, x.Demoted, x.AsOf });
                break;
            case AggregationCompleted a:
                // Who asked stays in the event store; the feed carries the figures only.
                yield return ("aggregation.completed", new { a.Patterns, a.GlobalPatterns, a.Knowledge, a.Promoted, a.Demoted, a.Drifted, a.CompletedAt });
                break;
        }
    }
}
