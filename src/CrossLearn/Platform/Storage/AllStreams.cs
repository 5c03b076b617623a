using CrossLearn.Platform.Http;
using Npgsql;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// Every writer locks its own stream's row in Marten's stream table before it decides (<c>FetchForExclusiveWriting</c>),
/// so the table itself is the lock of all streams: held in EXCLUSIVE mode (a projection rebuild) it keeps every writer
/// waiting, while plain reads go on. Writers need no statement of their own for it.
/// </summary>
/// <remarks>
/// Background readers that must not read read models being refilled (the promotion watcher, erasure completion) ask
/// through an advisory lock the holder also takes, never through the table: a reader holding a table lock on one
/// connection while it queries on another could wait, unseen by PostgreSQL's deadlock detector, on a statement that
/// waits for that table lock (a TRUNCATE in tests, a schema change).
/// </remarks>
public static class AllStreams
{
    private static string Table => StoreTables.Streams;
    private static string Key => $"{WriteLocks.Space}, {WriteLocks.AllStreamsKey}";

    /// <summary>Holds every stream until disposed, on a connection of its own, once the writers at work have committed.</summary>
    public static async Task<IAsyncDisposable> HoldAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        var connection = await database.OpenConnectionAsync(ct);
        try
        {
            await using (var announce = new NpgsqlCommand($"SELECT pg_advisory_lock({Key})", connection))
                await announce.ExecuteNonQueryAsync(ct);
            var transaction = await connection.BeginTransactionAsync(ct);
            await using (var hold = new NpgsqlCommand($"LOCK TABLE {Table} IN EXCLUSIVE MODE", connection, transaction))
                await hold.ExecuteNonQueryAsync(ct);
            return new Held(connection, transaction);
        }
        catch
        {
            // Closing the connection lets both locks go.
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Keeps <see cref="HoldAsync"/> away until disposed, or returns null at once if a holder has it (or waits for it):
    /// background readers skip a turn instead of reading read models that a rebuild is refilling.
    /// </summary>
    public static async Task<IAsyncDisposable?> TryShareAsync(NpgsqlDataSource database, CancellationToken ct)
    {
        var connection = await database.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock_shared({Key})", connection);
            if (await command.ExecuteScalarAsync(ct) is true) return new Held(connection, null);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    private sealed class Held(NpgsqlConnection connection, NpgsqlTransaction? transaction) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            // Closing the connection releases the locks even if an unlock fails.
            await using (connection)
            {
                if (transaction != null)
                    await using (transaction)
                        await transaction.RollbackAsync();
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection);
                await unlock.ExecuteNonQueryAsync();
            }
        }
    }
}
