using CrossLearn.Platform.Storage;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Turns;
using JasperFx.Events;
using Marten.Events.Aggregation;


namespace CrossLearn.Features.Profile;

/// <summary>One per user, from the user's stream: the figures behind /api/me and, later, analytics.</summary>
public sealed class UserProfile
{
    public string Id { get; set; } = "";
    public int MemoryCount { get; set; }
    public int InteractionCount { get; set; }
    public int RatedTurns { get; set; }
    public int SuccessfulTurns { get; set; }
    public DateTimeOffset FirstSeenAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>Successful / rated turns; null until the user has rated a turn. Stored so PostgreSQL can rank it.</summary>
    public double? SuccessRate { get; set; }

    /// <summary>Keys of memories the user erased themselves (DELETE /api/me/memories): what they said no to, never recommended to them.</summary>
    public HashSet<string> RetractedKeys { get; set; } = [];
}

/// <summary>Successful / rated turns, rounded to 4 places; null while nothing is rated. Users and patterns alike.</summary>
public static class SuccessRate
{
    public static double? Of(int successful, int rated) => rated == 0 ? null : Math.Round((double)successful / rated, 4);
}

/// <summary>
/// One Evolve step per event, so that an event of a shape this version does not know is refused before it counts:
/// inline, the whole write fails; in a rebuild, the daemon dead-letters it and goes on (docs/reliability.md).
/// </summary>
public sealed partial class UserProfileProjection : SingleStreamProjection<UserProfile, string>
{
    public UserProfileProjection()
    {
        IncludeType<TurnRecorded>();
        IncludeType<MemoryLearned>();
        IncludeType<MemoryRetracted>();
        IncludeType<FeedbackGiven>();
    }

    public override UserProfile? Evolve(UserProfile? snapshot, string id, IEvent e)
    {
        if (EventShapes.Rejection(e) is { } rejection) throw rejection;
        switch (e.Data)
        {
            case TurnRecorded turn when snapshot == null:
                return new UserProfile { Id = turn.UserId, InteractionCount = 1, FirstSeenAt = turn.RecordedAt, LastSeenAt = turn.RecordedAt };
            case TurnRecorded turn:
                snapshot.InteractionCount++;
                // A profile begun by a memory (or a rating) before any turn is first seen at its first turn.
                if (snapshot.FirstSeenAt == default) snapshot.FirstSeenAt = turn.RecordedAt;
                snapshot.LastSeenAt = turn.RecordedAt;
                return snapshot;
            case MemoryLearned:
                snapshot ??= new UserProfile { Id = id };
                snapshot.MemoryCount++;
                return snapshot;
            case MemoryRetracted retracted:
                snapshot ??= new UserProfile { Id = id };
                snapshot.MemoryCount--;
                if (retracted.Reason == RetractionReasons.ErasedByUser) snapshot.RetractedKeys.Add(retracted.Key);
                return snapshot;
            case FeedbackGiven feedback:
                snapshot ??= new UserProfile { Id = id };
                Rate(snapshot, feedback);
                return snapshot;
            default:
                return snapshot;
        }
    }

    private static void Rate(UserProfile profile, FeedbackGiven e)
    {
        if (e.PreviousSuccess is { } previous)
        {
            profile.RatedTurns--;
            if (previous) profile.SuccessfulTurns--;
        }

        profile.RatedTurns++;
        if (e.Success) profile.SuccessfulTurns++;
        profile.SuccessRate = SuccessRate.Of(profile.SuccessfulTurns, profile.RatedTurns);
    }
}
