namespace CrossLearn.Platform.Storage;

/// <summary>
/// The one place that knows how Marten names its tables and columns, for the few reports and deletions Marten's API
/// does not offer (a GROUP BY across users, an erasure's deletion of a stream, dead letters joined with their events).
/// Names come schema-qualified.
/// </summary>
public static class StoreTables
{
    public static string Events => $"{EventStore.Schema}.mt_events";
    public static string Streams => $"{EventStore.Schema}.mt_streams";
    /// <summary>How far each projection and subscription has read (one row per shard).</summary>
    public static string Progression => $"{EventStore.Schema}.mt_event_progression";

    /// <summary>The table of a document type, schema-qualified.</summary>
    public static string Of<TDocument>() => Of(typeof(TDocument));

    /// <summary>The table of a document type, schema-qualified.</summary>
    public static string Of(Type documentType) => $"{EventStore.Schema}.{NameOf(documentType)}";

    /// <summary>Marten's default table of a (non-nested) document type: <c>mt_doc_</c> and the type's name in lower case.</summary>
    public static string NameOf(Type documentType) => "mt_doc_" + documentType.Name.ToLowerInvariant();

    /// <summary>When Marten last wrote a document (every document table has it).</summary>
    public const string LastModifiedColumn = "mt_last_modified";
}
