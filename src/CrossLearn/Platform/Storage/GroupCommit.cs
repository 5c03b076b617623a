using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;

namespace CrossLearn.Platform.Storage;

/// <summary>How a <see cref="GroupCommit{TRequest,TResult}"/> gathers its batches (configuration section of its user).</summary>
public sealed class GroupCommitSettings
{
    /// <summary>At most this many requests share one transaction.</summary>
    public int MaxBatch { get; set; } = 32;

    /// <summary>
    /// How long a batch that is not full waits for more requests after its first, in microseconds. 0 (the default)
    /// takes what has arrived while the writer's previous batch committed, and no more: on the 2-core benchmark a
    /// 1,000 µs window cost more (timer wake-ups, a lone turn waiting) than the larger batches saved (docs/benchmarks.md).
    /// </summary>
    public int WindowMicroseconds { get; set; }

    /// <summary>
    /// Writers, each with its own queue and one batch in flight: while one commits, another decides. A request goes to
    /// the writer of its key, so the requests of one key are written one batch after the other by one writer and never
    /// wait for each other's locks in two writers at once.
    /// </summary>
    public int Writers { get; set; } = 2;

    /// <summary>A request that no batch could decide for this long (what it waits for stays held) fails.</summary>
    public int DeferralLimitMilliseconds { get; set; } = 30_000;

    public GroupCommitSettings Checked()
    {
        if (MaxBatch < 1 || Writers < 1 || WindowMicroseconds < 0 || DeferralLimitMilliseconds < 1)
            throw new InvalidOperationException(
                "GroupCommit: MaxBatch, Writers and DeferralLimitMilliseconds must be at least 1, WindowMicroseconds not negative.");
        return this;
    }
}

/// <summary>
/// A batch's database commands join the trace of its first request (and link the others'); each batch's size is
/// measured (<c>dotnet-counters monitor -p PID --counters CrossLearn.GroupCommit</c>).
/// </summary>
public static class GroupCommitTelemetry
{
    public const string Name = "CrossLearn.GroupCommit";
    public static readonly ActivitySource Source = new(Name);
    private static readonly Meter Meter = new(Name);

    internal static readonly Histogram<int> BatchSize =
        Meter.CreateHistogram<int>("crosslearn.group_commit.batch_size", "{request}", "Requests written in one batch's transaction");
}

/// <summary>What became of one request of a batch.</summary>
public abstract record BatchOutcome<TResult>
{
    /// <summary>Done, and its result stands once the batch commits.</summary>
    public sealed record Done(TResult Result) : BatchOutcome<TResult>;

    /// <summary>Could not be decided in this batch (its stream is taken by another request of the batch, or was created
    /// while the batch locked): it goes first into the next batch.</summary>
    public sealed record Deferred : BatchOutcome<TResult>;

    /// <summary>Could not be decided at all: it fails alone, the batch goes on without it.</summary>
    public sealed record Failed(Exception Error) : BatchOutcome<TResult>;
}

/// <summary>
/// Group commit: requests that arrive together are decided separately and written in one transaction, one commit and one
/// fsync, and each caller is answered after that commit. A batch takes at most <see cref="GroupCommitSettings.MaxBatch"/>
/// requests, or what arrives within <see cref="GroupCommitSettings.WindowMicroseconds"/> of its first, whichever comes
/// first. When a batch's transaction fails, each of its requests is written again alone, so one bad request fails alone.
/// </summary>
/// <remarks>
/// The writer decides and writes a batch in one transaction and returns an outcome per request, in order; it must take
/// its locks in a fixed order (sorted stream ids), so two batches in flight cannot deadlock. A request deferred goes
/// first into its writer's next batch, which is gathered only after the batch that deferred it has committed.
/// </remarks>
public sealed class GroupCommit<TRequest, TResult> : IAsyncDisposable
{
    public delegate Task<IReadOnlyList<BatchOutcome<TResult>>> WriteBatch(IReadOnlyList<TRequest> batch, CancellationToken ct);

    private sealed class Pending(TRequest request, ActivityContext caller)
    {
        public TRequest Request { get; } = request;
        public ActivityContext Caller { get; } = caller;
        public long? FirstDeferredAt { get; set; }
        public TaskCompletionSource<TResult> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly Channel<Pending>[] _queues;
    private readonly Func<TRequest, string> _keyOf;
    private readonly WriteBatch _write;
    private readonly GroupCommitSettings _settings;
    private readonly string _name;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _writers;

    /// <param name="keyOf">The request's key (a stream id): requests of one key go to one writer.</param>
    public GroupCommit(string name, GroupCommitSettings settings, Func<TRequest, string> keyOf, WriteBatch write)
    {
        _name = name;
        _settings = settings.Checked();
        _keyOf = keyOf;
        _write = write;
        _queues = Enumerable.Range(0, _settings.Writers)
            .Select(_ => Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true })).ToArray();
        // The writers belong to no request: they must not run inside the trace (or other context) of whichever request
        // happened to create this.
        using (ExecutionContext.SuppressFlow())
            _writers = _queues.Select(queue => Task.Run(() => RunAsync(queue.Reader))).ToArray();
    }

    /// <summary>Queues the request for the next batch; completes when the batch that holds it has committed.</summary>
    public Task<TResult> SubmitAsync(TRequest request)
    {
        var pending = new Pending(request, Activity.Current?.Context ?? default);
        var queue = _queues[(uint)StringComparer.Ordinal.GetHashCode(_keyOf(request)) % (uint)_queues.Length];
        return queue.Writer.TryWrite(pending)
            ? pending.Done.Task
            : Task.FromException<TResult>(new ObjectDisposedException(_name, "The service is stopping."));
    }

    private async Task RunAsync(ChannelReader<Pending> reader)
    {
        var carried = new List<Pending>();
        while (true)
        {
            if (carried.Count == 0 && !await reader.WaitToReadAsync(CancellationToken.None)) return;
            var batch = new List<Pending>(_settings.MaxBatch);
            batch.AddRange(carried.Take(_settings.MaxBatch));
            carried.RemoveRange(0, batch.Count);
            while (batch.Count < _settings.MaxBatch && reader.TryRead(out var next)) batch.Add(next);
            if (batch.Count < _settings.MaxBatch && _settings.WindowMicroseconds > 0) await GatherAsync(batch, reader);
            if (batch.Count == 0) continue;
            var deferred = await WriteAsync(batch);
            // Nothing could be decided (what the requests wait for is held elsewhere): do not spin on it.
            if (deferred.Count == batch.Count) await Task.Delay(1);
            carried.AddRange(deferred);
        }
    }

    /// <summary>Waits up to the window for more requests, taking each as it comes, until the batch is full.</summary>
    private async Task GatherAsync(List<Pending> batch, ChannelReader<Pending> reader)
    {
        using var window = new CancellationTokenSource(TimeSpan.FromMicroseconds(_settings.WindowMicroseconds));
        try
        {
            while (batch.Count < _settings.MaxBatch && await reader.WaitToReadAsync(window.Token))
                while (batch.Count < _settings.MaxBatch && reader.TryRead(out var next)) batch.Add(next);
        }
        catch (OperationCanceledException) when (window.IsCancellationRequested)
        {
        }
    }

    /// <summary>Writes a batch, answers its requests and returns those deferred to the next batch.</summary>
    private async Task<List<Pending>> WriteAsync(List<Pending> batch)
    {
        using var activity = GroupCommitTelemetry.Source.StartActivity($"{_name} batch", ActivityKind.Internal, batch[0].Caller,
            links: batch.Skip(1).Where(p => p.Caller != default).Select(p => new ActivityLink(p.Caller)));
        activity?.SetTag("batch.size", batch.Count);
        GroupCommitTelemetry.BatchSize.Record(batch.Count, new KeyValuePair<string, object?>("name", _name));
        var deferred = new List<Pending>();
        IReadOnlyList<BatchOutcome<TResult>> outcomes;
        try
        {
            outcomes = await _write(batch.Select(p => p.Request).ToList(), _stopping.Token);
        }
        catch (Exception) when (batch.Count > 1)
        {
            // The transaction failed and wrote nothing: each request again alone, so only the one at fault fails.
            foreach (var alone in batch) deferred.AddRange(await WriteAsync([alone]));
            return deferred;
        }
        catch (Exception error)
        {
            batch[0].Done.TrySetException(error);
            return deferred;
        }

        if (outcomes.Count != batch.Count)
        {
            var error = new InvalidOperationException($"{_name}: the writer answered {outcomes.Count} of {batch.Count} requests.");
            foreach (var pending in batch) pending.Done.TrySetException(error);
            return deferred;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var pending = batch[i];
            switch (outcomes[i])
            {
                case BatchOutcome<TResult>.Done done:
                    pending.Done.TrySetResult(done.Result);
                    break;
                case BatchOutcome<TResult>.Failed failed:
                    pending.Done.TrySetException(failed.Error);
                    break;
                case BatchOutcome<TResult>.Deferred when Stopwatch.GetElapsedTime(pending.FirstDeferredAt ??= Stopwatch.GetTimestamp())
                                                         > TimeSpan.FromMilliseconds(_settings.DeferralLimitMilliseconds):
                    pending.Done.TrySetException(new TimeoutException($"{_name}: a request could not be decided for {_settings.DeferralLimitMilliseconds} ms."));
                    break;
                default:
                    deferred.Add(pending);
                    break;
            }
        }

        return deferred;
    }

    /// <summary>Takes no more requests and writes those queued before returning.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var queue in _queues) queue.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_writers).WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            _stopping.Cancel();
            _stopping.Dispose();
        }
    }
}
