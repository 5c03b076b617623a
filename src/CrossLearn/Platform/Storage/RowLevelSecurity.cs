using CrossLearn.Platform.Http;
using Marten;

using Npgsql;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// Defence in depth for per-user reads. The per-user read-model tables get PostgreSQL row-level security for a
/// role, <c>crosslearn_user_reader</c>, that may only SELECT them and only sees rows whose user id equals the
/// session's <c>crosslearn.user_id</c> setting. Endpoints that read "my" data do so through a
/// <see cref="UserScope"/> running as that role: a query that forgets its user filter still sees only the
/// caller's rows. Cross-user work (the daemon, aggregation, admin views) keeps the service's own role.
/// </summary>
public sealed class UserScopedReads(IDocumentStore store, Sharding.ShardDataSources pools)
{
    public const string ReaderRole = "crosslearn_user_reader";

    public async Task<UserScope> OpenAsync(string userId, CancellationToken ct)
    {
        // The user's shard database, and a session of its tenant (Sharding.ShardMap.SessionTenantOf) on that connection.
        var connection = await pools.OfUser(userId).OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand($"SET ROLE {ReaderRole}; SELECT set_config('crosslearn.user_id', @user, false)", connection);
            command.Parameters.AddWithValue("user", userId);
            await command.ExecuteNonQueryAsync(ct);
            var options = Marten.Services.SessionOptions.ForConnection(connection);
            if (pools.Map.SessionTenantOfUser(userId) is { } tenant) options.TenantId = tenant;
            return new UserScope(store.QuerySession(options), connection);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Creates the reader role and the policies, as the schema owner (<see cref="SchemaSetup"/>, under its lock). The
    /// runtime role, which is not the tables' owner, is subject to row-level security too: it keeps every row
    /// (cross-user work needs them) through a policy of its own, and may become the reader for a user's request.
    /// </summary>
    public static async Task ApplyAsync(NpgsqlConnection owner, string runtimeRole, IEnumerable<UserOwnedDocument> documents, CancellationToken ct)
    {
        var schema = EventStore.Schema;
        var runtime = SchemaSetup.QuoteIdentifier(runtimeRole);
        var tables = documents.Select(d => (Table: StoreTables.NameOf(d.DocumentType), d.UserColumn)).Distinct();
        var policies = string.Join("\n", tables.Select(t => $"""
            GRANT SELECT ON {schema}.{t.Table} TO {ReaderRole};
            ALTER TABLE {schema}.{t.Table} ENABLE ROW LEVEL SECURITY;
            DROP POLICY IF EXISTS own_rows ON {schema}.{t.Table};
            CREATE POLICY own_rows ON {schema}.{t.Table} FOR SELECT TO {ReaderRole}
              USING ({t.UserColumn} = current_setting('crosslearn.user_id', true));
            DROP POLICY IF EXISTS service_rows ON {schema}.{t.Table};
            CREATE POLICY service_rows ON {schema}.{t.Table} FOR ALL TO {runtime} USING (true) WITH CHECK (true);
            """));
        var sql = $"""
            BEGIN;
            DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ReaderRole}') THEN CREATE ROLE {ReaderRole} NOLOGIN; END IF;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END $$;
            GRANT {ReaderRole} TO {runtime};
            GRANT USAGE ON SCHEMA {schema} TO {ReaderRole};
            {policies}
            COMMIT;
            """;
        // The policies' DDL locks each table in turn, while other nodes (or a process still stopping) use them: PostgreSQL
        // may break a deadlock by failing this side (a restart in the reliability tests did). All of it is one
        // transaction and may simply be run again.
        for (var attempt = 1; ; attempt++)
        {
            await using var command = new NpgsqlCommand(sql, owner);
            try
            {
                await command.ExecuteNonQueryAsync(ct);
                return;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable && attempt < 5)
            {
                await using (var rollback = new NpgsqlCommand("ROLLBACK", owner)) await rollback.ExecuteNonQueryAsync(ct);
                await Task.Delay(100 * attempt, ct);
            }
            catch (PostgresException e)
            {
                throw new InvalidOperationException(
                    $"Could not set up row-level security ({e.MessageText}). The schema owner's role needs CREATEROLE, or a DBA " +
                    $"creates the NOLOGIN role {ReaderRole} and grants it to the owner WITH ADMIN OPTION.", e);
            }
        }
    }
}

/// <summary>
/// A module's per-user document and the column that names its user (a duplicated field, or <c>id</c> when the document
/// is the user's own): its table gets row-level security (<see cref="UserScopedReads"/>), and an erasure deletes the
/// user's rows in its transaction unless <paramref name="ErasedWithUser"/> is false (a document a consumer still needs
/// to undo the user's part, and deletes itself).
/// </summary>
public sealed record UserOwnedDocument(Type DocumentType, string UserColumn, bool ErasedWithUser = true)
{
    /// <summary>For Marten's QueueSqlCommand: the user's rows of this document (one '?', the user id).</summary>
    public string DeleteRowsSql => $"DELETE FROM {EventStore.Schema}.{StoreTables.NameOf(DocumentType)} WHERE {UserColumn} = ?";
}

/// <summary>A read-only session that sees only one user's rows; disposing it hands the connection back clean.</summary>
public sealed class UserScope(IQuerySession session, NpgsqlConnection connection) : IAsyncDisposable
{
    public IQuerySession Session { get; } = session;

    public async ValueTask DisposeAsync()
    {
        // Reset before anything can hand the connection back to the pool: a pooled connection must never carry
        // the restricted role or another user's id to its next user.
        try
        {
            if (connection.State == System.Data.ConnectionState.Open)
            {
                await using var reset = new NpgsqlCommand("RESET ROLE; RESET crosslearn.user_id", connection);
                await reset.ExecuteNonQueryAsync();
            }
        }
        finally
        {
            await Session.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
