using Marten;
using Npgsql;

namespace CrossLearn.Hosting;

/// <summary>
/// Serialises writers of one user's stream. Every write decides from the user's current read models
/// (is this memory new? what rating does this replace?), so two writers for one user must not interleave.
/// A transaction-scoped advisory lock queues them instead of failing one with a concurrency error; it is
/// released by the commit in SaveChangesAsync.
/// </summary>
public static class UserStreamLock
{
    public static async Task LockUserStreamAsync(this IDocumentSession session, string userId, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended(@user, 7138))", session.Connection);
        command.Parameters.AddWithValue("user", userId);
        await command.ExecuteNonQueryAsync(ct);
    }
}
