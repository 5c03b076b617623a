namespace CrossLearn.Hosting;

/// <summary>
/// What every event of the service says about itself, so that code which handles events in general (strict reading,
/// dead letters, the live feed, erasure) asks the event instead of switching over every type. Being one also makes
/// an event read strictly (<see cref="StrictEventReading"/>).
/// </summary>
public interface IEventFacts
{
    /// <summary>The user whose data the event is (their stream holds it); null for an event about no one user.</summary>
    string? UserId => null;
}
