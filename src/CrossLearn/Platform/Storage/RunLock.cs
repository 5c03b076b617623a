using Npgsql;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// A session-level advisory lock held on a connection of its own for as long as a background run lasts: one run of a
/// kind at a time in the whole deployment. The connection goes with the run; if the process dies, PostgreSQL lets go.
/// </summary>
public sealed class RunLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly int _key;

    private RunLock(NpgsqlConnection connection, int key) => (_connection, _key) = (connection, key);

    /// <summary>The lock of <paramref name="key"/> (in <see cref="WriteLocks.Space"/>), or null while another run holds it.</summary>
    public static async Task<RunLock?> TryTakeAsync(NpgsqlDataSource database, int key, CancellationToken ct)
    {
        var connection = await database.OpenConnectionAsync(ct);
        try
        {
            await using var take = new NpgsqlCommand($"SELECT pg_try_advisory_lock({WriteLocks.Space}, {key})", connection);
            if ((bool)(await take.ExecuteScalarAsync(ct))!) return new RunLock(connection, key);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    /// <summary>Lets go explicitly: a pooled connection is not closed when disposed, and its lock would outlive the run.</summary>
    public async ValueTask DisposeAsync()
    {
        await using (_connection)
        {
            try
            {
                await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({WriteLocks.Space}, {_key})", _connection);
                await unlock.ExecuteScalarAsync();
            }
            catch (NpgsqlException)
            {
                // A broken connection holds no lock.
            }
        }
    }
}
