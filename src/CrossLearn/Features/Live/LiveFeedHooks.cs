using CrossLearn.Platform.Storage;
using Marten;
using Npgsql;

namespace CrossLearn.Features.Live;

/// <summary>Notifications other modules raise (a changed pattern) go into the live feed, in their transaction.</summary>
public sealed class LiveFeedNotifications : ILiveNotifications
{
    public void Queue(IDocumentOperations session, string? userId, string type, object payload) =>
        session.QueueSqlCommand(LiveFeed.InsertSql, LiveFeed.InsertArguments(userId, type, payload));
}

/// <summary>An erased user's notifications go in the erasure's transaction.</summary>
public sealed class LiveFeedEraser : IUserDataEraser
{
    public Task EraseAsync(NpgsqlConnection connection, string userId, CancellationToken ct) =>
        LiveFeed.DeleteForUserAsync(connection, userId, ct);
}
