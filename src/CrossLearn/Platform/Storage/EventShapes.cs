using JasperFx.Events;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// An event this version of CrossLearn cannot apply: a shape it does not know (written by a newer or broken
/// writer, or by hand). Thrown by projections and the live feed before they change anything, so the event is
/// dead-lettered and skipped instead of being half-applied or guessed at.
/// </summary>
public sealed class UnknownEventShapeException(string message) : Exception(message);

/// <summary>
/// Asks an event whether it can be applied (<see cref="IEventFacts.ShapeProblem"/>): each event knows the fields its
/// projections rely on. Anything else (e.g. <c>{"schemaVersion": 99}</c> stored as a <c>memory_learned</c>, which
/// deserializes to an event of nulls) is rejected explicitly rather than applied with defaults.
/// </summary>
public static class EventShapes
{
    /// <summary>Why <paramref name="e"/> cannot be applied, or null when it is of a known shape.</summary>
    public static UnknownEventShapeException? Rejection(IEvent e) =>
        e.Data is IEventFacts facts && facts.ShapeProblem(e.StreamKey) is { } problem
            ? new UnknownEventShapeException($"{e.EventTypeName} #{e.Sequence} has a shape this version does not know: {problem}.")
            : null;

    /// <summary>
    /// A per-user event lives on its user's stream (the stream key is the user id): one naming someone else (or
    /// nobody) cannot be attributed.
    /// </summary>
    public static string? Owner(string? streamKey, string? userId) =>
        string.IsNullOrEmpty(userId) ? "no user id" : userId != streamKey ? "a user id other than its stream's" : null;

    public static string? Present(Guid id, string name) => id == Guid.Empty ? $"no {name}" : null;
}
