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

    /// <summary>
    /// Queues in <paramref name="session"/> what makes the documents of some streams the fold of <paramref name="events"/>
    /// (all of those streams' events, in order). An event the projection refuses is handed to <paramref name="refused"/>
    /// and skipped, as the daemon skips it.
    /// </summary>
    void Refold(IDocumentSession session, IReadOnlyList<IEvent> events, Action<IEvent, Exception> refused);
}

/// <summary>A decider's state (the document writers fetch for exclusive writing): a database without it gets it at start (<see cref="WriteModelBackfill"/>).</summary>
public interface IWriteModelFold : IStreamFold;

/// <summary>One document per stream, keyed by the stream: the projection's own <c>Evolve</c>, event by event.</summary>
public class SingleStreamFold<TDocument>(SingleStreamProjection<TDocument, string> projection) : IStreamFold where TDocument : class
{
    private readonly HashSet<Type> _folded = [.. projection.IncludedEventTypes];

    public Type ProjectionType => projection.GetType();
    public Type DocumentType => typeof(TDocument);

    public void Refold(IDocumentSession session, IReadOnlyList<IEvent> events, Action<IEvent, Exception> refused)
    {
        var folded = new Dictionary<string, TDocument?>();
        foreach (var e in events)
        {
            if (!_folded.Contains(e.EventType)) continue;
            try
            {
                folded[e.StreamKey!] = projection.Evolve(folded.GetValueOrDefault(e.StreamKey!), e.StreamKey!, e);
            }
            catch (UnknownEventShapeException rejection)
            {
                refused(e, rejection);
            }
        }

        // A stream with none of the projection's events has no document of it.
        foreach (var (stream, document) in folded)
        {
            if (document != null) session.Store(document);
            else session.Delete<TDocument>(stream);
        }
    }
}

/// <summary>A decider's state folded as <see cref="SingleStreamFold{TDocument}"/>.</summary>
public sealed class WriteModelFold<TDocument>(SingleStreamProjection<TDocument, string> projection)
    : SingleStreamFold<TDocument>(projection), IWriteModelFold where TDocument : class;

/// <summary>
/// Several documents per stream, each named by its events (<paramref name="idsOf"/>, the projection's identities), all
/// of a document's events in one stream: what the events name is stored as folded, or deleted when the fold ends it
/// (a memory retracted, knowledge demoted). A document no event of the stream names is not one of its documents.
/// </summary>
public sealed class MultiStreamFold<TDocument, TId>(MultiStreamProjection<TDocument, TId> projection, Func<object, IReadOnlyList<TId>> idsOf)
    : IStreamFold where TDocument : class where TId : notnull
{
    public Type ProjectionType => projection.GetType();
    public Type DocumentType => typeof(TDocument);

    public void Refold(IDocumentSession session, IReadOnlyList<IEvent> events, Action<IEvent, Exception> refused)
    {
        var folded = new Dictionary<TId, TDocument?>();
        foreach (var e in events)
        foreach (var id in idsOf(e.Data))
        {
            try
            {
                folded[id] = projection.Evolve(folded.GetValueOrDefault(id), id, e);
            }
            catch (UnknownEventShapeException rejection)
            {
                refused(e, rejection);
                break;
            }
        }

        foreach (var (id, document) in folded)
        {
            if (document != null) session.Store(document);
            else if (id is string key) session.Delete<TDocument>(key);
            else if (id is Guid guid) session.Delete<TDocument>(guid);
            else throw new NotSupportedException($"{typeof(TDocument).Name} ids of type {typeof(TId).Name}");
        }
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
