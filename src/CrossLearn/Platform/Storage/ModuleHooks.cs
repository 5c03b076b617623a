using Marten;
using Npgsql;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// A live notification raised in the raiser's own transaction (it becomes visible when that commits). The module
/// that delivers notifications implements it; a module that raises one needs only this.
/// </summary>
public interface ILiveNotifications
{
    /// <param name="userId">The user it is for, or null for everyone.</param>
    void Queue(IDocumentOperations session, string? userId, string type, object payload);
}

/// <summary>
/// Per-user data a module keeps outside Marten's documents and events (its own tables), erased in the erasure's
/// transaction. Every module holding such data registers one.
/// </summary>
public interface IUserDataEraser
{
    Task EraseAsync(NpgsqlConnection connection, string userId, CancellationToken ct);
}
