using Npgsql;
using Weasel.Postgresql.Connections;

namespace CrossLearn.Platform.Sharding;

/// <summary>
/// One connection pool per shard database, shared by Marten (as its data source factory) and our own SQL, so a
/// shard's connections are counted once. The pools live as long as the service; Marten does not dispose them.
/// </summary>
public sealed class ShardDataSources : INpgsqlDataSourceFactory, IAsyncDisposable
{
    private readonly Dictionary<string, NpgsqlDataSource> _byConnection = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NpgsqlDataSource> _byName = new(StringComparer.Ordinal);

    public ShardDataSources(ShardMap map, Func<string, string> tune)
    {
        Map = map;
        foreach (var database in map.Databases)
        {
            var source = NpgsqlDataSource.Create(tune(database.ConnectionString));
            _byConnection[database.ConnectionString] = source;
            _byName[database.Name] = source;
        }
    }

    public ShardMap Map { get; }

    /// <summary>The pool of the first shard database, which also holds what belongs to no user.</summary>
    public NpgsqlDataSource First => _byName[Map.Databases[0].Name];

    public NpgsqlDataSource Of(ShardDatabase database) => _byName[database.Name];

    public NpgsqlDataSource OfUser(string userId) => Of(Map.DatabaseOfUser(userId));

    /// <summary>The pool of the shard database Marten knows by <paramref name="identifier"/> (its name in the map).</summary>
    public NpgsqlDataSource Named(string identifier) => _byName[identifier];

    NpgsqlDataSource INpgsqlDataSourceFactory.Create(string connectionString) =>
        _byConnection.TryGetValue(connectionString, out var source)
            ? source
            : throw new InvalidOperationException("Marten asked for a connection that is not one of Sharding:Databases.");

    bool INpgsqlDataSourceFactory.OwnsDataSource(NpgsqlDataSource dataSource) => false;

    public async ValueTask DisposeAsync()
    {
        foreach (var source in _byName.Values) await source.DisposeAsync();
    }
}
