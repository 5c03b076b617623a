using JasperFx.Events;

namespace CrossLearn.Tests.Units;

/// <summary>
/// Events as a projection's Evolve receives them from Marten, built in memory: JasperFx's <see cref="Event{T}"/>
/// carries the data with the stream key and sequence a store would have given it. No database, no host.
/// </summary>
internal static class Stored
{
    /// <summary>A fixed instant: every time in these tests comes from it or from the events, never from the clock.</summary>
    public static readonly DateTimeOffset Epoch = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private static long _sequence;

    /// <summary>
    /// <paramref name="data"/> as an event on <paramref name="streamKey"/> (user streams are keyed by the user id),
    /// with a fresh sequence. Built as <c>Event&lt;TheEventType&gt;</c> even when the caller holds it as an object,
    /// so that the event's type is the one Marten would record.
    /// </summary>
    public static IEvent On(string streamKey, object data)
    {
        var e = (IEvent)Activator.CreateInstance(typeof(Event<>).MakeGenericType(data.GetType()), data)!;
        e.StreamKey = streamKey;
        e.Sequence = Interlocked.Increment(ref _sequence);
        e.EventTypeName = data.GetType().Name;
        e.Timestamp = Epoch;
        return e;
    }
}
