using CrossLearn.Features.Memories.Reextraction;

namespace CrossLearn.Tests.Units;

/// <summary>A re-extraction run's progress record, one Evolve step at a time, from events built in memory (no database).</summary>
public sealed class ReextractionRunProjectionTests
{
    private static readonly DateTimeOffset T0 = Stored.Epoch;
    private static readonly Guid RunId = Guid.Parse("22222222-2222-2222-2222-222222222222");
    private static readonly string StreamId = ReextractionStream.For(RunId);

    private readonly ReextractionRunProjection _projection = new();

    private static ReextractionStarted Started() => new(RunId, "v2", "admin", 10, T0);

    private ReextractionRun? Fold(params object[] events) =>
        events.Aggregate((ReextractionRun?)null, (run, data) => _projection.Evolve(run, StreamId, Stored.On(StreamId, data)));

    [Fact]
    public void A_started_run_is_running_with_nothing_done_yet()
    {
        var run = Fold(Started());

        Assert.NotNull(run);
        Assert.Equal((StreamId, RunId, "v2", "admin", ReextractionRun.Running), (run.Id, run.RunId, run.ExtractorVersion, run.RequestedBy, run.Status));
        Assert.Equal((10, 0, 0L, 0), (run.UsersTotal, run.UsersDone, run.Cursor, run.Resumes));
        Assert.Equal((T0, T0, (DateTimeOffset?)null), (run.StartedAt, run.LastProgressAt, run.CompletedAt));
    }

    [Fact]
    public void Progress_moves_the_cursor_and_takes_the_latest_counts()
    {
        var run = Fold(Started(),
            new ReextractionProgressed(RunId, 120, 3, 10, 7, 1, T0.AddMinutes(1)),
            new ReextractionProgressed(RunId, 480, 6, 11, 15, 2, T0.AddMinutes(2), CursorDatabase: "west"));

        // Counts are running totals carried by each event, not increments to add up.
        Assert.Equal((480L, 6, 11, 15, 2), (run!.Cursor, run.UsersDone, run.UsersTotal, run.EventsAppended, run.UsersSkipped));
        // The cursor is a sequence of that shard database (the earlier ones in the pool are done).
        Assert.Equal("west", run.CursorDatabase);
        Assert.Equal((T0, T0.AddMinutes(2)), (run.StartedAt, run.LastProgressAt));
        Assert.Equal(ReextractionRun.Running, run.Status);
    }

    [Fact]
    public void Each_resumption_is_counted_and_keeps_the_cursor()
    {
        var run = Fold(Started(),
            new ReextractionProgressed(RunId, 120, 3, 10, 7, 0, T0.AddMinutes(1)),
            new ReextractionResumed(RunId, "other-admin", T0.AddHours(1)),
            new ReextractionResumed(RunId, "admin", T0.AddHours(2)));

        Assert.Equal((2, 120L, 3, T0.AddHours(2)), (run!.Resumes, run.Cursor, run.UsersDone, run.LastProgressAt));
        // Who started the run stays recorded; a resumption does not take it over.
        Assert.Equal("admin", run.RequestedBy);
    }

    [Fact]
    public void A_completed_run_records_its_final_counts_and_when_it_ended()
    {
        var run = Fold(Started(),
            new ReextractionProgressed(RunId, 120, 3, 10, 7, 0, T0.AddMinutes(1)),
            new ReextractionCompleted(RunId, 10, 21, 1, T0.AddMinutes(5)));

        Assert.Equal(ReextractionRun.Completed, run!.Status);
        Assert.Equal((10, 21, 1), (run.UsersDone, run.EventsAppended, run.UsersSkipped));
        Assert.Equal((T0.AddMinutes(5), T0.AddMinutes(5)), (run.CompletedAt, run.LastProgressAt));
    }

    [Fact]
    public void Events_of_a_run_that_was_never_started_make_no_record()
    {
        Assert.Null(Fold(new ReextractionProgressed(RunId, 1, 1, 1, 1, 0, T0)));
        Assert.Null(Fold(new ReextractionResumed(RunId, "admin", T0)));
        Assert.Null(Fold(new ReextractionCompleted(RunId, 1, 1, 0, T0)));
    }
}
