using System.Data.Common;
using Marten;
using Marten.Internal.Storage;
using Marten.Schema.BulkLoading;
using Marten.Storage;
using Npgsql;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// Replaces documents in bulk inside the transaction open on one connection: the rows a statement names are deleted,
/// then the new documents are written through Marten's own bulk loader (the one behind <c>BulkInsertAsync</c>): binary
/// COPY into a temporary table, then one <c>INSERT ... SELECT</c> into the document table. (COPY straight into the table
/// is refused for tables under row-level security, which the per-user tables are.) A refold used to upsert its
/// documents one statement each, which was most of a rebuild's cost.
/// </summary>
/// <remarks>
/// Each temporary table is created on first use and emptied at every commit, so <see cref="FlushAsync"/> must run inside
/// a transaction; the tables live as long as this object, which drops them when disposed. Nothing reaches the document
/// tables before <see cref="FlushAsync"/>.
/// </remarks>
public sealed class DocumentReplacement(IDocumentStore store, NpgsqlConnection connection) : IAsyncDisposable
{
    private readonly Tenant _tenant = ((DocumentStore)store).Tenancy.Default;
    private readonly ISerializer _serializer = store.Options.Serializer();
    private readonly HashSet<string> _temporaryTables = [];
    private readonly List<(string Sql, object[] Parameters)> _clears = [];
    private readonly List<Func<CancellationToken, Task>> _copies = [];
    private readonly List<string> _moves = [];

    /// <summary>
    /// Queues the deletion of what <paramref name="clearSql"/> names (positional parameters <c>$1</c>...; none when
    /// null) and the writing of <paramref name="documents"/> after it. Done at <see cref="FlushAsync"/>.
    /// </summary>
    public void Replace<TDocument>(string? clearSql, object[] parameters, IReadOnlyCollection<TDocument> documents) where TDocument : notnull
    {
        if (clearSql != null) _clears.Add((clearSql, parameters));
        if (documents.Count == 0) return;

        var loader = ((MartenDocumentProvider<TDocument>)_tenant.Database.Providers.StorageFor<TDocument>()).BulkLoader;
        var temporary = StoreTables.NameOf(typeof(TDocument)) + "_temp";
        _copies.Add(async ct =>
        {
            if (_temporaryTables.Add(temporary)) await CreateAsync(loader, temporary, ct);
            await loader.LoadIntoTempTableAsync(_tenant, _serializer, connection, documents, ct);
        });
        // Overwriting, not "on conflict do nothing": a row the clear missed must not survive silently.
        _moves.Add(loader.OverwriteDuplicatesFromTempTable());
    }

    /// <summary>Runs what was queued, in order: every deletion (one round trip), the copies, every move (one round trip).</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        if (_clears.Count > 0)
        {
            await using var clears = new NpgsqlBatch(connection);
            foreach (var (sql, parameters) in _clears)
            {
                var command = new NpgsqlBatchCommand(sql);
                foreach (var value in parameters) command.Parameters.Add(new NpgsqlParameter { Value = value });
                clears.BatchCommands.Add(command);
            }

            await clears.ExecuteNonQueryAsync(ct);
        }

        foreach (var copy in _copies) await copy(ct);
        if (_moves.Count > 0)
        {
            await using var moves = new NpgsqlBatch(connection);
            foreach (var sql in _moves) moves.BatchCommands.Add(new NpgsqlBatchCommand(sql));
            await moves.ExecuteNonQueryAsync(ct);
        }

        _clears.Clear();
        _copies.Clear();
        _moves.Clear();
    }

    private async Task CreateAsync<TDocument>(IBulkLoader<TDocument> loader, string temporary, CancellationToken ct)
    {
        // Marten's own statement, its rows emptied at every commit: in place, where a TRUNCATE per batch made a new file
        // for each table and was most of a batch's time.
        var marten = loader.CreateTempTableForCopying();
        var create = marten.Replace($"create temporary table {temporary} as ", $"create temporary table {temporary} on commit delete rows as ", StringComparison.Ordinal);
        if (create == marten)
            throw new InvalidOperationException($"Marten's bulk loader for {typeof(TDocument).Name} no longer creates {temporary} as it did: {marten}");
        await using var command = new NpgsqlCommand($"DROP TABLE IF EXISTS pg_temp.{temporary}; {create}", connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_temporaryTables.Count == 0 || connection.State != System.Data.ConnectionState.Open) return;
        try
        {
            await using var command = new NpgsqlCommand(string.Join("; ", _temporaryTables.Select(t => $"DROP TABLE IF EXISTS pg_temp.{t}")), connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (DbException)
        {
            // A connection in a failed transaction cannot drop; closing it ends its temporary tables anyway.
        }
    }
}
