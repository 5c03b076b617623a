using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;

namespace CrossLearn.Features.Privacy;

// Read strictly (Platform/Storage/StrictEventReading.cs): a parameter without a default is needed.

/// <summary>
/// The marker an erasure leaves for the cross-user consumers, on the erasure's own stream: the pattern projection
/// subtracts the user from every global count when it reaches it, the live feed drops the user's notifications.
/// It is the last place the user id is kept: <see cref="ErasureCompletion"/> deletes it once both have passed it.
/// </summary>
public sealed record UserErasureStarted(
    string UserId) : IEventFacts
{
    // On the erasure's own stream (before, on the user's: both are read).
    string? IEventFacts.ShapeProblem(string? streamKey) =>
        string.IsNullOrEmpty(UserId) ? "no user id" : ErasureStream.IsErasure(streamKey) ? null : EventShapes.Owner(streamKey, UserId);
}

/// <summary>
/// The erasure itself, on the erasure's own stream. Holds no personal data: not the user id, not what they wrote.
/// </summary>
public sealed record UserErased(
    Guid ErasureId,
    string RequestedByRole,
    int EventsRemoved,
    int PatternsTouched,
    DateTimeOffset ErasedAt) : IEventFacts;

/// <summary>Every erasure has a stream of its own, so parallel erasures never contend for one stream's version.</summary>
public static class ErasureStream
{
    public const string Prefix = Platform.Http.UserIds.ReservedPrefix + "erasure:";

    public static string For(Guid erasureId) => Prefix + erasureId.ToString("N");

    public static bool IsErasure(string? streamKey) => streamKey?.StartsWith(Prefix, StringComparison.Ordinal) == true;
}
