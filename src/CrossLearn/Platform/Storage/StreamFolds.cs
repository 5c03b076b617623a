using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using Marten.Events.Aggregation;
using Marten.Events.Projections;
using Microsoft.Extensions.DependencyInjection;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// An inline projection folded again stream by stream (<see cref="StreamRefolder"/>): registered by the module that owns
/// it, so that a rebuild refolds each stream under that stream's lock while writers go on with the others.
/// </summary>
public interface IStreamFold
{
    /// <summary>The projection this fold stands in for (a rebuild does not hand it to the daemon).</summary>
    Type ProjectionType { get; }

    /// <summary>The document it writes.</summary>
    Type DocumentType { get; }

    /// <summary>The name its dead letters carry: the one the continuous projection gives them.</summary>
    string DeadLetterName => ProjectionType.Name;

    /// <summary>
    /// Queues in <paramref name="replacement"/> what makes the documents of <paramref name="streams"/> the fold of
    /// <paramref name="events"/> (all of those streams' events, in order): every document of those streams deleted (also
    /// one a retraction ended, or one an older version of the projection left), then the folded ones written. An event
    /// the projection cannot apply is handed to <paramref name="refused"/> and skipped, as the daemon skips it.
    /// </summary>
    void Refold(DocumentReplacement replacement, IReadOnlyList<string> streams, IReadOnlyList<IEvent> events, Action<IEvent, Exception> refused);
}

/// <summary>
/// One refold's run of a fold whose documents gather many streams (a pattern counts its holders): each batch adds
/// its streams' part as <see cref="IStreamFold.Refold"/> is called (from several workers at once), and what gathered
/// is queued by <see cref="Finish"/> once every batch is done.
/// </summary>
public interface IGatheringFold : IStreamFold
{
    void Finish(DocumentReplacement replacement);
}

/// <summary>
/// An async projection a rebuild folds stream by stream instead of replaying it through the daemon: its daemon
/// batches must wait while a rebuild runs (<see cref="RebuildAnnouncement.HoldOffAsync"/>) and go on from their own
/// progress after it, so they read again what the refold counted; the projection must take an event it has applied
/// already as a no-op (a per-user high-water mark).
/// </summary>
public interface IShardFold
{
    /// <summary>The async projection's name (its shards' <c>Name</c>).</summary>
    string ProjectionName { get; }

    /// <summary>A fresh run for one rebuild.</summary>
    IGatheringFold Begin();
}

/// <summary>A decider's state (the document writers fetch for exclusive writing): a database without it gets it at start (<see cref="WriteModelBackfill"/>).</summary>
public interface IWriteModelFold : IStreamFold;

/// <summary>One document per stream, keyed by the stream: the projection's own <c>Evolve</c>, event by event.</summary>
public class SingleStreamFold<TDocument>(SingleStreamProjection<TDocument, string> projection) : IStreamFold where TDocument : class
{
    private readonly HashSet<Type> _folded = [.. projection.IncludedEventTypes];

    public Type ProjectionType => projection.GetType();
    public Type DocumentType => typeof(TDocument);

    public void Refold(DocumentReplacement replacement, IReadOnlyList<string> streams, IReadOnlyList<IEvent> events, Action<IEvent, Exception> refused)
    {
        var folded = new Dictionary<string, TDocument?>();
        foreach (var e in events)
        {
            if (!_folded.Contains(e.EventType)) continue;
            try
            {
                folded[e.StreamKey!] = projection.Evolve(folded.GetValueOrDefault(e.StreamKey!), e.StreamKey!, e);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                refused(e, failure);
            }
        }

        // Keyed by its stream: a stream's document is the one folded now, or none.
        replacement.Replace($"DELETE FROM {StoreTables.Of<TDocument>()} WHERE id = ANY($1)", [streams.ToArray()],
            folded.Values.OfType<TDocument>().ToList());
    }
}

/// <summary>A decider's state folded as <see cref="SingleStreamFold{TDocument}"/>.</summary>
public sealed class WriteModelFold<TDocument>(SingleStreamProjection<TDocument, string> projection)
    : SingleStreamFold<TDocument>(projection), IWriteModelFold where TDocument : class;

/// <summary>
/// Several documents per stream, each named by its events (<c>idsOf</c>, the projection's identities), all of a
/// document's events in one stream. Whose a document is: the stream named in its <c>streamColumn</c> (a user's
/// memories: <c>user_id</c>), or, with <c>onlyStream</c>, that one stream's (global knowledge).
/// </summary>
public sealed class MultiStreamFold<TDocument, TId> : IStreamFold where TDocument : class where TId : notnull
{
    private readonly Func<TDocument?, TId, IEvent, TDocument?> _evolve;
    private readonly Func<object, IReadOnlyList<TId>> _idsOf;
    private readonly string? _streamColumn;
    private readonly string? _onlyStream;

    /// <summary>The fold of a Marten multi-stream projection: its own <c>Evolve</c>.</summary>
    public MultiStreamFold(MultiStreamProjection<TDocument, TId> projection, Func<object, IReadOnlyList<TId>> idsOf, string? streamColumn = null, string? onlyStream = null)
        : this(projection.GetType(), projection.Evolve, idsOf, streamColumn, onlyStream)
    {
    }

    /// <summary>The fold of a projection of our own (<paramref name="projectionType"/>) that writes without loading: its pure <paramref name="evolve"/>.</summary>
    public MultiStreamFold(Type projectionType, Func<TDocument?, TId, IEvent, TDocument?> evolve, Func<object, IReadOnlyList<TId>> idsOf, string? streamColumn = null, string? onlyStream = null)
    {
        ProjectionType = projectionType;
        _evolve = evolve;
        _idsOf = idsOf;
        _streamColumn = streamColumn;
        _onlyStream = onlyStream;
    }

    public Type ProjectionType { get; }
    public Type DocumentType => typeof(TDocument);

    public void Refold(DocumentReplacement replacement, IReadOnlyList<string> streams, IReadOnlyList<IEvent> events, Action<IEvent, Exception> refused)
    {
        var folded = new Dictionary<TId, TDocument?>();
        foreach (var e in events)
        foreach (var id in _idsOf(e.Data))
        {
            try
            {
                folded[id] = _evolve(folded.GetValueOrDefault(id), id, e);
            }
            catch (Exception failure) when (failure is not OperationCanceledException)
            {
                refused(e, failure);
                break;
            }
        }

        var table = StoreTables.Of<TDocument>();
        var documents = folded.Values.OfType<TDocument>().ToList();
        if (_streamColumn != null)
            replacement.Replace($"DELETE FROM {table} WHERE {_streamColumn} = ANY($1)", [streams.ToArray()], documents);
        else if (_onlyStream != null && streams.Contains(_onlyStream))
            replacement.Replace($"DELETE FROM {table}", [], documents);
        else
            replacement.Replace(null, [], documents);
    }
}

public static class StreamFoldRegistration
{
    /// <summary>Registers <paramref name="fold"/> for rebuilds and, a write model's, for the start-up backfill.</summary>
    public static IServiceCollection AddStreamFold(this IServiceCollection services, IStreamFold fold)
    {
        services.AddSingleton(fold);
        if (fold is IWriteModelFold model) services.AddSingleton(model);
        return services;
    }
}
