using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using Npgsql;

namespace CrossLearn.Tests.Platform;

/// <summary>Which failures a client may simply retry (409), which mean the database is away (503), which are ours (500).</summary>
public sealed class ErrorClassificationTests
{
    private static PostgresException Postgres(string sqlState) => new("test", "ERROR", "ERROR", sqlState);

    [Theory]
    [InlineData(PostgresErrorCodes.UniqueViolation)]
    [InlineData(PostgresErrorCodes.SerializationFailure)]
    [InlineData(PostgresErrorCodes.DeadlockDetected)]
    public void Two_writers_meeting_is_a_conflict_to_retry_not_an_unavailable_database(string sqlState)
    {
        // As it reaches the exception handler: wrapped by Marten and Wolverine.
        var wrapped = new AggregateException(new InvalidOperationException("outer", Postgres(sqlState)));
        Assert.True(ProblemResponses.IsWriteConflict(wrapped));
        Assert.False(ProblemResponses.IsStorageUnavailable(wrapped));
    }

    [Theory]
    [InlineData(PostgresErrorCodes.AdminShutdown)]
    [InlineData(PostgresErrorCodes.CannotConnectNow)]
    [InlineData(PostgresErrorCodes.TooManyConnections)]
    [InlineData(PostgresErrorCodes.ConnectionFailure)]
    public void A_database_going_away_is_unavailable(string sqlState)
    {
        Assert.True(ProblemResponses.IsStorageUnavailable(Postgres(sqlState)));
        Assert.False(ProblemResponses.IsWriteConflict(Postgres(sqlState)));
    }

    [Fact]
    public void A_fault_in_our_own_sql_is_neither()
    {
        Assert.False(ProblemResponses.IsStorageUnavailable(Postgres(PostgresErrorCodes.UndefinedColumn)));
        Assert.False(ProblemResponses.IsWriteConflict(Postgres(PostgresErrorCodes.UndefinedColumn)));
        Assert.True(ProblemResponses.IsStorageUnavailable(new NpgsqlException("connection refused")));
        Assert.True(ProblemResponses.IsWriteConflict(new JasperFx.ConcurrencyException(typeof(string), "stream")));
    }

    [Fact]
    public void Writers_inserting_one_document_at_once_conflict_also_when_Marten_reports_them_together()
    {
        var twice = new JasperFx.DocumentAlreadyExistsException(new Exception("23505"), typeof(string), "figures");
        Assert.True(ProblemResponses.IsWriteConflict(twice));
        Assert.True(ProblemResponses.IsWriteConflict(new AggregateException(twice, new JasperFx.DocumentAlreadyExistsException(new Exception("23505"), typeof(string), "revision"))));
    }
}
