using Npgsql;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// A rebuild says it is running, so that background readers of what it refills (the promotion watcher, reading the
/// patterns) hold off instead of judging half of them, and the pattern projection's daemon batches wait for it. Writers never ask: they lock their own stream (StreamLock), which
/// the rebuild locks too, a batch of streams at a time. An advisory lock of the rebuild's session, not a row: it goes
/// with the rebuilding node if that node dies.
/// </summary>
public static class RebuildAnnouncement
{
    private static string Key => $"{WriteLocks.Space}, {WriteLocks.RebuildKey}";

    /// <summary>Announces a rebuild until disposed, once the background readers at work are done.</summary>
    public static Task<IAsyncDisposable> AnnounceAsync(NpgsqlDataSource database, CancellationToken ct) =>
        HoldAsync(database, $"SELECT pg_advisory_lock({Key})", ct);

    /// <summary>
    /// Keeps a rebuild from starting until disposed, or returns null at once if one runs (or waits to): background readers
    /// skip a turn instead of reading read models that a rebuild is refilling.
    /// </summary>
    public static async Task<IAsyncDisposable?> TryHoldOffAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        var connection = await database.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock_shared({Key})", connection);
            if (await command.ExecuteScalarAsync(ct) is true) return new Held(connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    /// <summary>
    /// Waits until no rebuild runs and keeps one from starting until disposed: for a projection the rebuild folds in
    /// its own pass (the patterns), whose daemon batches wait meanwhile, wherever their shard runs.
    /// </summary>
    public static Task<IAsyncDisposable> HoldOffAsync(NpgsqlDataSource database, CancellationToken ct) =>
        HoldAsync(database, $"SELECT pg_advisory_lock_shared({Key})", ct);

    /// <summary>Takes a session-level lock with <paramref name="lockSql"/> on a connection of its own, kept until disposed.</summary>
    private static async Task<IAsyncDisposable> HoldAsync(NpgsqlDataSource database, string lockSql, CancellationToken ct)
    {
        var connection = await database.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand(lockSql, connection);
            await command.ExecuteNonQueryAsync(ct);
            return new Held(connection);
        }
        catch
        {
            // Closing the connection lets the lock go.
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// In <paramref name="session"/>'s transaction (begun here), waits until no rebuild runs and keeps one from starting
    /// until the commit: for a decider that reads what a rebuild refills (promotion reads the patterns). Call it before
    /// locking any stream: a rebuild takes this first and streams after, so neither waits for the other in a circle.
    /// </summary>
    public static async Task WaitUntilNoneRunsAsync(Marten.IDocumentSession session, CancellationToken ct)
    {
        await session.BeginTransactionAsync(ct);
        await using var wait = new NpgsqlCommand($"SELECT pg_advisory_xact_lock_shared({Key})", session.Connection);
        await wait.ExecuteNonQueryAsync(ct);
    }

    private sealed class Held(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // Closing the connection releases the lock even if the unlock fails.
            await using (connection)
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection);
                await unlock.ExecuteNonQueryAsync();
            }
        }
    }
}
