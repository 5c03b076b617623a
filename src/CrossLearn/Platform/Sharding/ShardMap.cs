namespace CrossLearn.Platform.Sharding;

/// <summary>One shard database of the pool and the buckets it holds (configuration <c>Sharding:Databases</c>).</summary>
public sealed class ShardDatabase
{
    /// <summary>The name the shard goes by (Marten's database identifier, the name its figures are reported under); never reused.</summary>
    public string Name { get; set; } = "";

    /// <summary>The runtime role's connection to this database.</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>The schema owner's connection (migrations); the runtime connection when not set.</summary>
    public string? OwnerConnectionString { get; set; }

    /// <summary>Bucket ranges, e.g. <c>0-511</c> or <c>0-99,200-299</c>, both ends included.</summary>
    public string Buckets { get; set; } = "";
}

/// <summary>
/// Which shard database holds each bucket, and so each user. Built once at start from <c>Sharding:Databases</c>; every
/// bucket belongs to exactly one database. Without that section the pool is one database, the service's own, holding
/// every bucket: the single-database set-up, through the same code path (docs/scaling.md).
/// </summary>
public sealed class ShardMap
{
    private readonly ShardDatabase[] _byBucket;

    public ShardMap(IReadOnlyList<ShardDatabase> databases)
    {
        if (databases.Count == 0) throw new InvalidOperationException("Sharding:Databases names no database.");
        var names = databases.Select(d => d.Name).ToList();
        if (names.Any(n => string.IsNullOrWhiteSpace(n) || n.Length > 64 || n.Length == 5 && n[0] == 'b' && n.Skip(1).All(char.IsDigit)))
            throw new InvalidOperationException("Every Sharding:Databases entry needs a Name of 1 to 64 characters that is not a bucket's name (b0000).");
        if (names.Distinct(StringComparer.Ordinal).Count() != names.Count)
            throw new InvalidOperationException("Sharding:Databases names a database twice.");
        if (databases.FirstOrDefault(d => string.IsNullOrWhiteSpace(d.ConnectionString)) is { } unconnected)
            throw new InvalidOperationException($"Sharding:Databases entry {unconnected.Name} has no ConnectionString.");
        // Marten and Wolverine know a database by its host and name (JasperFx's DatabaseId leaves the port out): two shards
        // told apart by their ports alone would share one projection agent and one durability agent, and one of them
        // would never be projected.
        if (databases.GroupBy(d => DatabaseIdOf(d.ConnectionString)).FirstOrDefault(g => g.Count() > 1) is { } shared)
            throw new InvalidOperationException(
                $"Sharding:Databases entries {string.Join(" and ", shared.Select(d => d.Name))} are both database {shared.Key.Name} on host {shared.Key.Host}: " +
                "Marten and Wolverine tell databases apart by host and database name, not port. Give each shard database a name of its own.");

        _byBucket = new ShardDatabase[Sharding.Buckets.Count];
        foreach (var database in databases)
        foreach (var bucket in ParseRanges(database.Name, database.Buckets))
        {
            if (_byBucket[bucket] is { } holder)
                throw new InvalidOperationException($"Bucket {bucket} is given to both {holder.Name} and {database.Name} in Sharding:Databases.");
            _byBucket[bucket] = database;
        }

        var missing = Enumerable.Range(0, Sharding.Buckets.Count).Where(b => _byBucket[b] == null).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException(
                $"Sharding:Databases leaves {missing.Count} bucket(s) without a database, the first {missing[0]}: all {Sharding.Buckets.Count} must be placed.");
        Databases = databases.ToList();
        _sessionTenants = Databases.Skip(1).ToDictionary(d => d.Name, d => BucketNamesOf(d)[0], StringComparer.Ordinal);
    }

    private readonly Dictionary<string, string> _sessionTenants;

    /// <summary>The pool, in configuration order; the first also holds what is not any user's (Marten's default tenant).</summary>
    public IReadOnlyList<ShardDatabase> Databases { get; }

    public ShardDatabase DatabaseOf(int bucket) => _byBucket[bucket];

    public ShardDatabase DatabaseOfUser(string userId) => _byBucket[Sharding.Buckets.Of(userId)];

    /// <summary>
    /// The Marten tenant a session for <paramref name="database"/> is opened with: null (Marten's default tenant) for the
    /// first, the first of its buckets for any other. A session's tenant only picks its database, as documents are
    /// single-tenanted; one tenant per database keeps each database's events in one tenant, so the async projections
    /// see one slice of them (the spike's per-tenant slicing lost updates of a projection spanning buckets), and the
    /// first database's events stay in the default tenant they were written under before the pool. A bucket's rows
    /// are found by its users' stream ids, not by a tenant column (docs/scaling.md, Moving a bucket).
    /// </summary>
    public string? SessionTenantOf(ShardDatabase database) => _sessionTenants.GetValueOrDefault(database.Name);

    public string? SessionTenantOfUser(string userId) => SessionTenantOf(DatabaseOfUser(userId));

    /// <summary>The bucket names (Marten tenant ids) a database holds, in bucket order.</summary>
    public IReadOnlyList<string> BucketNamesOf(ShardDatabase database) =>
        Enumerable.Range(0, Sharding.Buckets.Count).Where(b => ReferenceEquals(_byBucket[b], database)).Select(Sharding.Buckets.Name).ToList();

    /// <summary>The configured pool, or the service's own database (<paramref name="connections"/>) named Sharding:ShardId.</summary>
    public static ShardMap Load(IConfiguration configuration, Storage.DatabaseConnections connections) =>
        Load(configuration, ShardSettings.Load(configuration).ShardId, connections.Runtime, connections.SchemaOwner);

    /// <summary>The configured pool, or one database (the service's runtime and owner connections) holding every bucket.</summary>
    public static ShardMap Load(IConfiguration configuration, string defaultName, string runtimeConnection, string ownerConnection)
    {
        var configured = configuration.GetSection($"{ShardSettings.Section}:Databases").Get<List<ShardDatabase>>();
        return configured is { Count: > 0 }
            ? new ShardMap(configured)
            : new ShardMap([new ShardDatabase
            {
                Name = defaultName, ConnectionString = runtimeConnection, OwnerConnectionString = ownerConnection,
                Buckets = $"0-{Sharding.Buckets.Count - 1}"
            }]);
    }

    private static (string Host, string Name) DatabaseIdOf(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        return ((builder.Host ?? "").ToLowerInvariant(), builder.Database ?? "");
    }

    private static IEnumerable<int> ParseRanges(string database, string ranges)
    {
        if (string.IsNullOrWhiteSpace(ranges)) throw new InvalidOperationException($"Sharding:Databases entry {database} has no Buckets.");
        foreach (var part in ranges.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var ends = part.Split('-', StringSplitOptions.TrimEntries);
            if (ends.Length is < 1 or > 2 || !int.TryParse(ends[0], out var first) || !int.TryParse(ends[^1], out var last)
                || first < 0 || last >= Sharding.Buckets.Count || first > last)
                throw new InvalidOperationException(
                    $"Sharding:Databases entry {database}: '{part}' is not a bucket or a range of buckets from 0 to {Sharding.Buckets.Count - 1} (like 0-511).");
            for (var bucket = first; bucket <= last; bucket++) yield return bucket;
        }
    }
}
