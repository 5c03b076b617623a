using System.Collections.Concurrent;
using CrossLearn.Platform.Storage;

namespace CrossLearn.Tests.Units;

/// <summary>
/// The group commit machine without a database: how requests are gathered into batches, and what happens to a batch
/// whose transaction fails, to a request deferred and to one that fails alone. The writer here is the test's own
/// function; the turn writer on PostgreSQL is tested in Learners/TurnBatchTests.
/// </summary>
public sealed class GroupCommitTests
{
    private static GroupCommitSettings Settings(int maxBatch, int windowMicroseconds = 200_000, int writers = 1) =>
        new() { MaxBatch = maxBatch, WindowMicroseconds = windowMicroseconds, Writers = writers, DeferralLimitMilliseconds = 300 };

    private sealed class Recorder
    {
        public ConcurrentQueue<string[]> Batches { get; } = new();

        public GroupCommit<string, string>.WriteBatch Writer(Func<string, BatchOutcome<string>> decide, Func<IReadOnlyList<string>, bool>? fails = null) =>
            (batch, _) =>
            {
                Batches.Enqueue(batch.ToArray());
                if (fails?.Invoke(batch) == true) throw new InvalidOperationException("the transaction failed");
                return Task.FromResult<IReadOnlyList<BatchOutcome<string>>>(batch.Select(decide).ToList());
            };
    }

    private static string Key(string request) => request;

    private static BatchOutcome<string> Upper(string request) => new BatchOutcome<string>.Done(request.ToUpperInvariant());

    [Fact]
    public async Task Requests_that_arrive_together_share_one_batch_and_each_gets_its_own_result()
    {
        var recorder = new Recorder();
        await using var commit = new GroupCommit<string, string>("test", Settings(maxBatch: 4), Key, recorder.Writer(Upper));

        var results = await Task.WhenAll(new[] { "a", "b", "c", "d" }.Select(commit.SubmitAsync));

        Assert.Equal(["A", "B", "C", "D"], results);
        Assert.Equal(["a", "b", "c", "d"], Assert.Single(recorder.Batches));
    }

    [Fact]
    public async Task A_batch_holds_at_most_its_maximum_and_a_lone_request_goes_when_its_window_ends()
    {
        var recorder = new Recorder();
        await using var commit = new GroupCommit<string, string>("test", Settings(maxBatch: 3, windowMicroseconds: 50_000), Key, recorder.Writer(Upper));

        var results = await Task.WhenAll(Enumerable.Range(0, 7).Select(i => commit.SubmitAsync($"r{i}")));

        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"R{i}"), results);
        Assert.All(recorder.Batches, b => Assert.InRange(b.Length, 1, 3));
        Assert.Equal(7, recorder.Batches.Sum(b => b.Length));
        // 7 at once in batches of 3: the last batch (one request) is written when its window ends, not waited on for ever.
        Assert.Equal(3, recorder.Batches.Count);
    }

    [Fact]
    public async Task When_a_batchs_transaction_fails_each_request_is_written_alone_and_only_the_bad_one_fails()
    {
        var recorder = new Recorder();
        await using var commit = new GroupCommit<string, string>("test", Settings(maxBatch: 3), Key,
            recorder.Writer(Upper, fails: batch => batch.Contains("bad")));

        var good1 = commit.SubmitAsync("a");
        var bad = commit.SubmitAsync("bad");
        var good2 = commit.SubmitAsync("c");

        Assert.Equal(("A", "C"), (await good1, await good2));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => bad);
        Assert.Equal("the transaction failed", error.Message);
        Assert.Equal([["a", "bad", "c"], ["a"], ["bad"], ["c"]], recorder.Batches.ToArray());
    }

    [Fact]
    public async Task A_request_that_fails_to_be_decided_fails_alone_and_its_batch_goes_on()
    {
        var recorder = new Recorder();
        await using var commit = new GroupCommit<string, string>("test", Settings(maxBatch: 2), Key, recorder.Writer(r =>
            r == "bad" ? new BatchOutcome<string>.Failed(new ArgumentException("undecidable")) : Upper(r)));

        var good = commit.SubmitAsync("a");
        var bad = commit.SubmitAsync("bad");

        Assert.Equal("A", await good);
        await Assert.ThrowsAsync<ArgumentException>(() => bad);
        Assert.Single(recorder.Batches);
    }

    [Fact]
    public async Task A_deferred_request_goes_first_into_the_next_batch()
    {
        var recorder = new Recorder();
        var seen = new ConcurrentDictionary<string, int>();
        await using var commit = new GroupCommit<string, string>("test", Settings(maxBatch: 2, windowMicroseconds: 0), Key, recorder.Writer(r =>
            r == "later" && seen.AddOrUpdate(r, 1, (_, n) => n + 1) == 1 ? new BatchOutcome<string>.Deferred() : Upper(r)));

        Assert.Equal("LATER", await commit.SubmitAsync("later"));
        Assert.Equal([["later"], ["later"]], recorder.Batches.ToArray());
    }

    [Fact]
    public async Task A_request_deferred_for_ever_fails_rather_than_waiting_for_ever()
    {
        var recorder = new Recorder();
        await using var commit = new GroupCommit<string, string>("test", Settings(maxBatch: 2, windowMicroseconds: 0), Key,
            recorder.Writer(_ => new BatchOutcome<string>.Deferred()));

        await Assert.ThrowsAsync<TimeoutException>(() => commit.SubmitAsync("never"));
    }

    [Fact]
    public async Task Stopping_writes_what_was_queued_and_then_takes_no_more()
    {
        var recorder = new Recorder();
        var commit = new GroupCommit<string, string>("test", Settings(maxBatch: 8, windowMicroseconds: 100_000), Key, recorder.Writer(Upper));
        var queued = commit.SubmitAsync("queued");

        await commit.DisposeAsync();

        Assert.Equal("QUEUED", await queued);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => commit.SubmitAsync("late"));
    }

    [Fact]
    public async Task Requests_of_one_key_go_to_one_writer_and_so_never_share_a_moment_in_two()
    {
        var inFlight = new ConcurrentDictionary<string, int>();
        var overlaps = 0;
        await using var commit = new GroupCommit<string, string>("test", Settings(maxBatch: 4, windowMicroseconds: 0, writers: 3),
            request => request.Split('/')[0], async (batch, _) =>
            {
                var keys = batch.Select(r => r.Split('/')[0]).Distinct().ToList();
                foreach (var key in keys)
                    if (inFlight.AddOrUpdate(key, 1, (_, n) => n + 1) > 1) Interlocked.Increment(ref overlaps);
                await Task.Delay(2);
                foreach (var key in keys) inFlight.AddOrUpdate(key, 0, (_, n) => n - 1);
                return batch.Select(Upper).ToList();
            });

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => commit.SubmitAsync($"user{i % 5}/{i}")));

        Assert.Equal(0, overlaps);
    }

    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(1, -1, 1)]
    [InlineData(1, 0, 0)]
    public void Settings_that_cannot_work_are_refused_at_start(int maxBatch, int window, int writers) =>
        Assert.Throws<InvalidOperationException>(() => Settings(maxBatch, window, writers).Checked());
}
