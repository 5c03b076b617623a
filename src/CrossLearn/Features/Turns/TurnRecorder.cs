using CrossLearn.Features.Learners;
using CrossLearn.Platform.Storage;
using Marten;

namespace CrossLearn.Features.Turns;

/// <summary>
/// Records turns by group commit: the turns of different users that arrive together are decided one by one, each from
/// its own user's <see cref="Learner"/>, and written in one transaction (<see cref="GroupCommit{TRequest,TResult}"/>).
/// A request is answered after the commit that holds its turn.
/// </summary>
public sealed class TurnRecorder : IAsyncDisposable
{
    /// <summary>Configuration section of the batching (<see cref="GroupCommitSettings"/>).</summary>
    public const string Section = "Turns:GroupCommit";

    private readonly IDocumentStore _store;
    private readonly TimeProvider _time;
    private readonly GroupCommit<TurnToRecord, TurnDecision> _commit;

    /// <summary>Turn ids chosen by callers that a batch is deciding now, in any writer.</summary>
    private readonly HashSet<Guid> _chosenIdsInFlight = [];

    public TurnRecorder(IDocumentStore store, TimeProvider time, TurnBatching batching)
    {
        _store = store;
        _time = time;
        _commit = new GroupCommit<TurnToRecord, TurnDecision>("turns", batching.Settings, turn => turn.UserId, WriteAsync);
    }

    public Task<TurnDecision> RecordAsync(TurnToRecord turn) => _commit.SubmitAsync(turn);

    private async Task<IReadOnlyList<BatchOutcome<TurnDecision>>> WriteAsync(IReadOnlyList<TurnToRecord> batch, CancellationToken ct)
    {
        var outcomes = new BatchOutcome<TurnDecision>?[batch.Count];
        // One turn per user in a batch: a user's next turn is decided from what this one leaves (a user's turns all go
        // to this writer). A turn id a caller chose is decided by one batch at a time, in any writer: the second of two
        // users sending one id is refused by a later batch, which finds the first's turn.
        var users = new HashSet<string>(StringComparer.Ordinal);
        var chosenIds = new List<Guid>();
        for (var i = 0; i < batch.Count; i++)
        {
            var turn = batch[i];
            if (!users.Contains(turn.UserId) && (turn.Command.TurnId is not { } chosen || TryHold(chosen, chosenIds))) users.Add(turn.UserId);
            else outcomes[i] = new BatchOutcome<TurnDecision>.Deferred();
        }

        try
        {
            return await WriteChosenAsync(batch, outcomes, users, ct);
        }
        finally
        {
            lock (_chosenIdsInFlight) _chosenIdsInFlight.ExceptWith(chosenIds);
        }
    }

    private bool TryHold(Guid chosen, List<Guid> held)
    {
        lock (_chosenIdsInFlight)
            if (!_chosenIdsInFlight.Add(chosen)) return false;
        held.Add(chosen);
        return true;
    }

    private async Task<IReadOnlyList<BatchOutcome<TurnDecision>>> WriteChosenAsync(
        IReadOnlyList<TurnToRecord> batch, BatchOutcome<TurnDecision>?[] outcomes, HashSet<string> users, CancellationToken ct)
    {
        if (users.Count == 0) return outcomes.Select(o => o!).ToList();
        await using var session = _store.LightweightSession();
        // The Learners read for the decisions are the ones the inline projection then updates, not loaded a second time.
        session.UseIdentityMapFor<Learner>();
        var holds = await session.LockManyAsync(users, ct);

        // What the decisions read, in one round trip: the write models of the streams held, and whether another user
        // recorded a turn under an id a caller chose.
        var reads = session.CreateBatchQuery();
        var learners = reads.LoadMany<Learner>().ByIdList(holds.Existing.Keys);
        var usedIds = new Dictionary<Guid, Task<bool>>();
        for (var i = 0; i < batch.Count; i++)
            if (outcomes[i] == null && batch[i].Command.TurnId is { } chosen && !holds.Busy.Contains(batch[i].UserId))
                usedIds.Add(chosen, reads.CheckExists<Turn>(chosen));
        await reads.Execute(ct);
        var learnerOf = (await learners).ToDictionary(l => l.Id, StringComparer.Ordinal);

        var now = _time.GetUtcNow();
        var appended = false;
        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i] != null) continue;
            var turn = batch[i];
            if (holds.Busy.Contains(turn.UserId))
            {
                outcomes[i] = new BatchOutcome<TurnDecision>.Deferred();
                continue;
            }

            try
            {
                var learner = learnerOf.GetValueOrDefault(turn.UserId) ?? new Learner { Id = turn.UserId };
                var usedElsewhere = usedIds.TryGetValue(turn.TurnId, out var used) && await used;
                var decision = TurnDecider.Decide(turn, learner, usedElsewhere, now);
                if (decision is TurnDecision.Record record)
                {
                    if (holds.Existing.TryGetValue(turn.UserId, out var version))
                        session.Events.Append(turn.UserId, version + record.Events.Count, record.Events.ToArray());
                    else
                        session.Events.StartStream<Learner>(turn.UserId, record.Events.ToArray());
                    appended = true;
                }

                outcomes[i] = new BatchOutcome<TurnDecision>.Done(decision);
            }
            catch (Exception error)
            {
                outcomes[i] = new BatchOutcome<TurnDecision>.Failed(error);
            }
        }

        // The inline projections (turns, conversations, memories, profile, the Learner) run here, for the whole batch.
        if (appended) await session.SaveChangesAsync(ct);
        return outcomes.Select(o => o!).ToList();
    }

    public ValueTask DisposeAsync() => _commit.DisposeAsync();
}

/// <summary>How turns are batched (configuration section <see cref="TurnRecorder.Section"/>).</summary>
public sealed record TurnBatching(GroupCommitSettings Settings);
