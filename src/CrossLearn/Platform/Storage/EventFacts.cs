namespace CrossLearn.Platform.Storage;

/// <summary>
/// What every event of the service says about itself, so that code which handles events in general (strict reading,
/// dead letters, the live feed, erasure) asks the event instead of switching over every type. Being one also makes
/// an event read strictly (<see cref="StrictEventReading"/>).
/// </summary>
public interface IEventFacts
{
    /// <summary>The user whose data the event is (their stream holds it); null for an event about no one user.</summary>
    string? UserId => null;

    /// <summary>
    /// What is wrong with the event's shape as stored on <paramref name="streamKey"/> (a missing field, a value no
    /// projection can apply, a user other than the stream's), or null when it can be applied. Never quotes values:
    /// those can be user text. See <see cref="EventShapes"/>.
    /// </summary>
    string? ShapeProblem(string? streamKey) => null;
}
