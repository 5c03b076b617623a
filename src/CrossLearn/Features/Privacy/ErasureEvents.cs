namespace CrossLearn.Features.Privacy;

/// <summary>
/// Appended to the user's own stream when their erasure begins, so the pattern projection subtracts the user
/// from every global count. It is deleted with the rest of the stream moments later.
/// </summary>
public sealed record UserErasureStarted(string UserId);

/// <summary>
/// The erasure itself, on the erasures stream. Holds no personal data: not the user id, not what they wrote.
/// </summary>
public sealed record UserErased(Guid ErasureId, string RequestedByRole, int EventsRemoved, int PatternsTouched, DateTimeOffset ErasedAt);

public static class ErasureStream
{
    public const string Key = "crosslearn:erasures";
}
