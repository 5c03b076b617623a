namespace CrossLearn.Features.Memories;

// Appended to the user's stream (stream key = user id). Each event carries its own time so that a rebuild
// gives exactly the same read models.

/// <summary>A memory the user did not hold before was learned from one of their turns.</summary>
public sealed record MemoryLearned(
    string UserId, string Type, string Key, string Value, double Confidence, Guid TurnId, DateTimeOffset LearnedAt);

/// <summary>The user said again something already held: confidence and times seen grow.</summary>
public sealed record MemoryReinforced(
    string UserId, string Type, string Key, string Value, double Confidence, Guid TurnId, DateTimeOffset SeenAt);

/// <summary>
/// A single-valued memory (personal info such as a name) got a new value; it starts over from this turn.
/// </summary>
public sealed record MemoryReplaced(
    string UserId, string Type, string Key, string Value, double Confidence, Guid TurnId, DateTimeOffset ReplacedAt);

/// <summary>A memory stopped being held: the user erased it, or contradicted it in a later turn.</summary>
public sealed record MemoryRetracted(
    string UserId, string Type, string Key, string Reason, Guid? TurnId, DateTimeOffset RetractedAt);

public static class RetractionReasons
{
    public const string ErasedByUser = "erased_by_user";
    public const string Contradicted = "contradicted";
}
