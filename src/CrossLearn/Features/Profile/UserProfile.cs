using CrossLearn.Features.Memories;
using CrossLearn.Features.Turns;
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
}

/// <summary>Successful / rated turns, rounded to 4 places; null while nothing is rated. Users and patterns alike.</summary>
public static class SuccessRate
{
    public static double? Of(int successful, int rated) => rated == 0 ? null : Math.Round((double)successful / rated, 4);
}

public sealed partial class UserProfileProjection : SingleStreamProjection<UserProfile, string>
{
    public UserProfile Create(TurnRecorded e) => new()
    {
        Id = e.UserId, InteractionCount = 1, FirstSeenAt = e.RecordedAt, LastSeenAt = e.RecordedAt
    };

    public void Apply(TurnRecorded e, UserProfile profile)
    {
        profile.InteractionCount++;
        profile.LastSeenAt = e.RecordedAt;
    }

    public void Apply(MemoryLearned e, UserProfile profile) => profile.MemoryCount++;

    public void Apply(MemoryRetracted e, UserProfile profile) => profile.MemoryCount--;

    public void Apply(FeedbackGiven e, UserProfile profile)
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
