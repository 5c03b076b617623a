using JasperFx.Events;
using Marten;
using Marten.Events;
using Npgsql;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// The stream is the lock: a decider reads its stream's write model with the stream's row locked until its commit, so
/// the deciders of one stream run one after the other, each from what the one before left.
/// </summary>
public static class StreamLock
{
    /// <summary>
    /// Loads <typeparamref name="T"/> for deciding, its stream held until the session commits. A stream that does not
    /// exist yet has no row to lock: its creators (two first turns of a new user, a first turn and the user's erasure,
    /// the first two promotion decisions) queue on a transaction lock of the stream's key instead, and the one that
    /// waited reads again, finding what the other committed.
    /// </summary>
    public static async Task<IEventStream<T>> FetchForDecidingAsync<T>(this IDocumentSession session, string streamId, CancellationToken ct)
        where T : class
    {
        var stream = await session.Events.FetchForExclusiveWriting<T>(streamId, ct);
        if (stream.StartingVersion > 0) return stream;

        await using (var wait = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@space, hashtext(@stream))", session.Connection))
        {
            wait.Parameters.AddWithValue("space", WriteLocks.NewStreamSpace);
            wait.Parameters.AddWithValue("stream", streamId);
            await wait.ExecuteNonQueryAsync(ct);
        }

        // Marten registered the stream as one to start; read again, it must not remember that (a stream created meanwhile
        // is appended to). Nothing else may be queued yet: this comes first in a decider.
        if (session.PendingChanges.Operations().Any() || session.PendingChanges.Streams().Count() > 1)
            throw new InvalidOperationException($"{nameof(FetchForDecidingAsync)} must come before anything is queued in the session.");
        session.EjectAllPendingChanges();
        return await session.Events.FetchForExclusiveWriting<T>(streamId, ct);
    }
}
