using Marten;

namespace CrossLearn.Platform.Sharding;

/// <summary>
/// Opens Marten sessions in the shard database a user lives in (<see cref="ShardMap.SessionTenantOf"/>), or in a given
/// one, for code that opens its own sessions; endpoints get theirs routed by <see cref="UserTenantDetection"/>.
/// </summary>
public sealed class ShardSessions(IDocumentStore store, ShardMap map)
{
    public ShardMap Map => map;

    public IQuerySession QueryFor(string userId) => Query(map.DatabaseOfUser(userId));

    public IQuerySession Query(ShardDatabase database) =>
        map.SessionTenantOf(database) is { } tenant ? store.QuerySession(tenant) : store.QuerySession();

    public IDocumentSession WriteFor(string userId) => Write(map.DatabaseOfUser(userId));

    public IDocumentSession Write(ShardDatabase database) =>
        map.SessionTenantOf(database) is { } tenant ? store.LightweightSession(tenant) : store.LightweightSession();
}
