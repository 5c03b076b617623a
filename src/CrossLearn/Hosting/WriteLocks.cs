using Marten;
using Npgsql;

namespace CrossLearn.Hosting;

/// <summary>
/// PostgreSQL advisory locks that order our writers.
/// <list type="bullet">
/// <item>Per user: every write decides from the user's current read models (is this memory new? what rating
/// does this replace?), so two writers for one user must not interleave. They queue instead of failing.</item>
/// <item>Knowledge: promotion decisions read the current global knowledge; one decider at a time.</item>
/// <item>Maintenance: writers hold it shared; a projection rebuild holds it exclusively, so nothing is
/// decided from half-rebuilt read models.</item>
/// </list>
/// Transaction-scoped locks are released by the commit in SaveChangesAsync. Fixed locks use the two-int key
/// space, which never overlaps the bigint one that user hashes live in.
/// </summary>
public static class WriteLocks
{
    // Every fixed advisory lock of the service, in one place so that no two uses share a key.
    public const int Space = 7138;
    private const int MaintenanceKey = 1;
    private const int KnowledgeKey = 2;
    /// <summary>Held by the node that runs the promotion watcher.</summary>
    public const int PromotionLeaderKey = 4;
    /// <summary>Taken while the schema is created, migrated and granted at start (Database, SchemaSetup).</summary>
    public const int SchemaSetupKey = 5;
    /// <summary>Held by a transaction that adds to the live feed, until it commits: feed ids become visible in order.</summary>
    public const int LiveFeedOrderKey = 6;
    /// <summary>Held by the node running a re-extraction, for the whole run: one run at a time in the cluster.</summary>
    public const int ReextractionKey = 7;

    private static readonly string UserLockSql =
        $"SELECT pg_advisory_xact_lock_shared({Space}, {MaintenanceKey}), pg_advisory_xact_lock(hashtextextended(@user, {Space}))";

    public static Task LockUserStreamAsync(this IDocumentSession session, string userId, CancellationToken ct) =>
        LockAsync(session, UserLockSql, userId, ct);

    /// <summary>
    /// Takes the user's lock, then reads documents with <paramref name="selectSql"/> (one JSON column, parameter
    /// <c>@user</c>), in one round trip: two statements of one batch, so the read's snapshot is taken after the lock
    /// is granted and sees everything the previous holder committed.
    /// </summary>
    public static async Task<List<T>> LockUserStreamAndReadAsync<T>(this IDocumentSession session, string userId, string selectSql, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(session.Connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand(UserLockSql) { Parameters = { new NpgsqlParameter("user", userId) } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(selectSql) { Parameters = { new NpgsqlParameter("user", userId) } });
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        var serializer = session.DocumentStore.Options.Serializer();
        var documents = new List<T>();
        while (await reader.ReadAsync(ct)) documents.Add(serializer.FromJson<T>(reader, 0));
        return documents;
    }

    public static Task LockKnowledgeAsync(this IDocumentSession session, CancellationToken ct) =>
        LockAsync(session, $"SELECT pg_advisory_xact_lock_shared({Space}, {MaintenanceKey}), pg_advisory_xact_lock({Space}, {KnowledgeKey})",
            null, ct);

    /// <summary>
    /// Holds one user's lock across several transactions (erasure), on a connection of its own until disposed.
    /// A session-level and a transaction-level lock on one key exclude each other.
    /// </summary>
    public static Task<IAsyncDisposable> HoldUserStreamAsync(NpgsqlDataSource database, string userId, CancellationToken ct) =>
        HoldAsync(database, $"pg_advisory_lock(hashtextextended(@user, {Space}))", $"pg_advisory_unlock(hashtextextended(@user, {Space}))", userId, ct);

    /// <summary>Holds the maintenance lock exclusively on a connection of its own until disposed.</summary>
    public static Task<IAsyncDisposable> EnterMaintenanceAsync(NpgsqlDataSource database, CancellationToken ct) =>
        HoldAsync(database, $"pg_advisory_lock({Space}, {MaintenanceKey})", $"pg_advisory_unlock({Space}, {MaintenanceKey})", null, ct);

    /// <summary>
    /// Holds the maintenance lock shared on a connection of its own, or returns null at once if a rebuild holds it
    /// (or waits for it): background readers skip a turn instead of reading half-rebuilt read models.
    /// </summary>
    public static async Task<IAsyncDisposable?> TryHoldMaintenanceSharedAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        var connection = await database.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock_shared({Space}, {MaintenanceKey})", connection);
            if (await command.ExecuteScalarAsync(ct) is true)
                return new HeldLock(connection, $"pg_advisory_unlock_shared({Space}, {MaintenanceKey})", null);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    private static async Task<IAsyncDisposable> HoldAsync(NpgsqlDataSource database, string lockCall, string unlockCall, string? userId, CancellationToken ct)
    {
        var connection = await database.OpenConnectionAsync(ct);
        await using (var command = new NpgsqlCommand($"SELECT {lockCall}", connection))
        {
            if (userId != null) command.Parameters.AddWithValue("user", userId);
            await command.ExecuteNonQueryAsync(ct);
        }

        return new HeldLock(connection, unlockCall, userId);
    }

    private static async Task LockAsync(IDocumentSession session, string sql, string? userId, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand(sql, session.Connection);
        if (userId != null) command.Parameters.AddWithValue("user", userId);
        await command.ExecuteNonQueryAsync(ct);
    }

    private sealed class HeldLock(NpgsqlConnection connection, string unlockCall, string? userId) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // Closing the connection releases a session-level lock even if the unlock fails.
            await using (connection)
            await using (var command = new NpgsqlCommand($"SELECT {unlockCall}", connection))
            {
                if (userId != null) command.Parameters.AddWithValue("user", userId);
                await command.ExecuteNonQueryAsync();
            }
        }
    }
}
