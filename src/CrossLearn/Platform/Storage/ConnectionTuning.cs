using CrossLearn.Platform.Http;
using Npgsql;

namespace CrossLearn.Platform.Storage;

/// <summary>
/// Npgsql settings for the service's one connection pool, unless the configured connection string sets them itself.
/// </summary>
/// <remarks>
/// Without prepared statements Npgsql resets a pooled connection with <c>DISCARD ALL</c>, which also throws away
/// every cached plan of the session, including those of Marten's <c>mt_quick_append_events</c> function: each turn
/// then parsed and planned every statement again (pg_stat_statements, docs/benchmarks.md "Profile"). With automatic
/// preparation Npgsql keeps its prepared statements and resets the rest of the session state without discarding
/// plans.
/// </remarks>
public static class ConnectionTuning
{
    /// <summary>How many distinct statements each connection keeps prepared (Marten's hot set is a few dozen).</summary>
    public const int MaxAutoPrepare = 100;

    public static string ForMarten(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0) builder.MaxAutoPrepare = MaxAutoPrepare;
        return builder.ConnectionString;
    }
}
