using CrossLearn.Features.Profile;
using CrossLearn.Hosting;
using Marten;
using Npgsql;

namespace CrossLearn.Features.Analytics;

public sealed record Percentiles(double MemoryCount, double InteractionCount, double? SuccessRate);

public sealed record AnalyticsView(
    int MemoryCount, int InteractionCount, double? SuccessRate, Percentiles Percentiles, int Population, DateTimeOffset CalculatedAt);

/// <summary>
/// A user's figures and where they stand: the percent of users with a strictly lower value (0-100).
/// PostgreSQL ranks them over the indexed profile columns; nothing scans users in C#.
/// Success-rate percentiles are among users who have rated at least one turn.
/// </summary>
public static class UserAnalytics
{
    public static async Task<AnalyticsView> ForUserAsync(
        IQuerySession session, NpgsqlDataSource database, TimeProvider time, string userId, CancellationToken ct)
    {
        var profile = await session.LoadAsync<UserProfile>(userId, ct) ?? new UserProfile { Id = userId };

        var sql = $"""
            SELECT
              (SELECT count(*) FROM {EventStore.Schema}.mt_doc_userprofile)::int,
              (SELECT count(*) FROM {EventStore.Schema}.mt_doc_userprofile WHERE memory_count < @memories)::int,
              (SELECT count(*) FROM {EventStore.Schema}.mt_doc_userprofile WHERE interaction_count < @interactions)::int,
              (SELECT count(*) FROM {EventStore.Schema}.mt_doc_userprofile WHERE success_rate IS NOT NULL)::int,
              (SELECT count(*) FROM {EventStore.Schema}.mt_doc_userprofile WHERE success_rate < @rate)::int
            """;
        await using var command = database.CreateCommand(sql);
        command.Parameters.AddWithValue("memories", profile.MemoryCount);
        command.Parameters.AddWithValue("interactions", profile.InteractionCount);
        command.Parameters.AddWithValue("rate", (object?)profile.SuccessRate ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var (population, fewerMemories, fewerInteractions, rated, lowerRate) =
            (reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4));

        return new AnalyticsView(profile.MemoryCount, profile.InteractionCount, profile.SuccessRate,
            new Percentiles(Percent(fewerMemories, population), Percent(fewerInteractions, population),
                profile.SuccessRate == null ? null : Percent(lowerRate, rated)),
            population, time.GetUtcNow());
    }

    private static double Percent(int below, int of) => of == 0 ? 0 : Math.Round(100.0 * below / of, 1);
}
