using CrossLearn.Platform.Http;
namespace CrossLearn.Platform.Storage;

/// <summary>
/// The service's fixed PostgreSQL advisory lock keys, in one place so that no two uses share a key. They order work
/// that has no stream to lock: a rebuild against background readers, schema set-up, the live feed's commit order and
/// one re-extraction run and one clustering run in the cluster. Per-stream writers lock their stream instead (StreamLock); the promotion
/// watcher is placed on one node by Wolverine.
/// </summary>
public static class WriteLocks
{
    public const int Space = 7138;
    /// <summary>Held exclusively by a projection rebuild, shared by background readers (RebuildAnnouncement).</summary>
    public const int RebuildKey = 1;
    /// <summary>Taken while the schema is created, migrated and granted at start (Database, SchemaSetup).</summary>
    public const int SchemaSetupKey = 5;
    /// <summary>Held by a transaction that adds to the live feed, until it commits: feed ids become visible in order.</summary>
    public const int LiveFeedOrderKey = 6;
    /// <summary>Held by the node running a re-extraction, for the whole run: one run at a time in the cluster.</summary>
    public const int ReextractionKey = 7;
    /// <summary>Held by the node running a clustering, for the whole run: one run at a time in the cluster.</summary>
    public const int ClusteringKey = 8;
    /// <summary>Held by a shard's figures reporter for one report (look, send, record): reports of a database never overlap.</summary>
    public const int ShardReportKey = 9;

    /// <summary>
    /// A space of its own (keys are hashes of stream ids, which may meet the fixed keys above): the creators of a stream
    /// that has no row yet queue on its key until they commit (StreamLock).
    /// </summary>
    public const int NewStreamSpace = 7139;
}
