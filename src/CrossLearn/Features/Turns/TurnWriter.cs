using CrossLearn.Features.Learners;
using CrossLearn.Platform.Sharding;
using CrossLearn.Platform.Storage;
using Marten;

namespace CrossLearn.Features.Turns;

/// <summary>A write to one user's stream that goes through the group commit: a turn, or a rating of one.</summary>
public abstract record TurnWrite(string UserId);

/// <summary>What a turn write comes to (<see cref="TurnDecision"/>, <see cref="RatingDecision"/>).</summary>
public abstract record TurnWriteDecision;

/// <summary>
/// Records turns and their ratings by group commit: the writes of different users that arrive together are decided
/// one by one, each from its own user's <see cref="Learner"/>, and written in one transaction
/// (<see cref="GroupCommit{TRequest,TResult}"/>). A request is answered after the commit that holds its write. Each shard
/// database has its own group commit: a batch is one transaction, in the database its users live in.
/// </summary>
public sealed class TurnWriter : IAsyncDisposable
{
    /// <summary>Configuration section of the batching (<see cref="GroupCommitSettings"/>).</summary>
    public const string Section = "Turns:GroupCommit";

    private readonly ShardSessions _sessions;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, GroupCommit<TurnWrite, TurnWriteDecision>> _commitOfDatabase;

    /// <summary>Turn ids chosen by callers that a batch is deciding now, in any writer.</summary>
    private readonly HashSet<Guid> _chosenIdsInFlight = [];

    public TurnWriter(ShardSessions sessions, TimeProvider time, TurnBatching batching)
    {
        _sessions = sessions;
        _time = time;
        _commitOfDatabase = sessions.Map.Databases.ToDictionary(
            database => database.Name,
            database => new GroupCommit<TurnWrite, TurnWriteDecision>(
                "turns", batching.Settings, write => write.UserId, (batch, ct) => WriteAsync(database, batch, ct)),
            StringComparer.Ordinal);
    }

    public async Task<TurnDecision> RecordAsync(TurnToRecord turn) => (TurnDecision)await CommitOf(turn).SubmitAsync(turn);

    public async Task<RatingDecision> RateAsync(RatingToGive rating) => (RatingDecision)await CommitOf(rating).SubmitAsync(rating);

    private GroupCommit<TurnWrite, TurnWriteDecision> CommitOf(TurnWrite write) =>
        _commitOfDatabase[_sessions.Map.DatabaseOfUser(write.UserId).Name];

    private async Task<IReadOnlyList<BatchOutcome<TurnWriteDecision>>> WriteAsync(ShardDatabase database, IReadOnlyList<TurnWrite> batch, CancellationToken ct)
    {
        var outcomes = new BatchOutcome<TurnWriteDecision>?[batch.Count];
        // One write per user in a batch: a user's next write is decided from what this one leaves (a user's writes all
        // go to this writer). A turn id a caller chose is decided by one batch at a time, in any writer: the second of
        // two users sending one id is refused by a later batch, which finds the first's turn.
        var users = new HashSet<string>(StringComparer.Ordinal);
        var chosenIds = new List<Guid>();
        for (var i = 0; i < batch.Count; i++)
        {
            var write = batch[i];
            if (!users.Contains(write.UserId) && (ChosenTurnId(write) is not { } chosen || TryHold(chosen, chosenIds))) users.Add(write.UserId);
            else outcomes[i] = new BatchOutcome<TurnWriteDecision>.Deferred();
        }

        try
        {
            return await WriteChosenAsync(database, batch, outcomes, users, ct);
        }
        finally
        {
            lock (_chosenIdsInFlight) _chosenIdsInFlight.ExceptWith(chosenIds);
        }
    }

    private static Guid? ChosenTurnId(TurnWrite write) => (write as TurnToRecord)?.Command.TurnId;

    private bool TryHold(Guid chosen, List<Guid> held)
    {
        lock (_chosenIdsInFlight)
            if (!_chosenIdsInFlight.Add(chosen)) return false;
        held.Add(chosen);
        return true;
    }

    private async Task<IReadOnlyList<BatchOutcome<TurnWriteDecision>>> WriteChosenAsync(ShardDatabase database,
        IReadOnlyList<TurnWrite> batch, BatchOutcome<TurnWriteDecision>?[] outcomes, HashSet<string> users, CancellationToken ct)
    {
        if (users.Count == 0) return outcomes.Select(o => o!).ToList();
        await using var session = _sessions.Write(database);
        // The Learners read for the decisions are the ones the inline projection then updates, not loaded a second time.
        session.UseIdentityMapFor<Learner>();
        var holds = await session.LockManyAsync(users, ct);

        // What the decisions read, in one round trip: the write models of the streams held, and whether another user
        // recorded a turn under an id a caller chose.
        var reads = session.CreateBatchQuery();
        var learners = reads.LoadMany<Learner>().ByIdList(holds.Existing.Keys);
        var usedIds = new Dictionary<Guid, Task<bool>>();
        for (var i = 0; i < batch.Count; i++)
            if (outcomes[i] == null && ChosenTurnId(batch[i]) is { } chosen && !holds.Busy.Contains(batch[i].UserId))
                usedIds.Add(chosen, reads.CheckExists<Turn>(chosen));
        await reads.Execute(ct);
        var learnerOf = (await learners).ToDictionary(l => l.Id, StringComparer.Ordinal);

        var now = _time.GetUtcNow();
        var appended = false;
        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i] != null) continue;
            var write = batch[i];
            if (holds.Busy.Contains(write.UserId))
            {
                outcomes[i] = new BatchOutcome<TurnWriteDecision>.Deferred();
                continue;
            }

            try
            {
                var learner = learnerOf.GetValueOrDefault(write.UserId);
                TurnWriteDecision decision = write switch
                {
                    TurnToRecord turn => TurnDecider.Decide(turn, learner ?? new Learner { Id = turn.UserId },
                        usedIds.TryGetValue(turn.TurnId, out var used) && await used, now),
                    RatingToGive rating => RatingDecider.Decide(rating, learner, now),
                    _ => throw new ArgumentOutOfRangeException(nameof(batch), write.GetType().Name, "not a turn write")
                };
                IReadOnlyList<object> events = decision switch
                {
                    TurnDecision.Record record => record.Events,
                    RatingDecision.Give give => [give.Event],
                    _ => []
                };
                if (events.Count > 0)
                {
                    if (holds.Existing.TryGetValue(write.UserId, out var version))
                        session.Events.Append(write.UserId, version + events.Count, events.ToArray());
                    else
                        session.Events.StartStream<Learner>(write.UserId, events.ToArray());
                    appended = true;
                }

                outcomes[i] = new BatchOutcome<TurnWriteDecision>.Done(decision);
            }
            catch (Exception error)
            {
                outcomes[i] = new BatchOutcome<TurnWriteDecision>.Failed(error);
            }
        }

        // The inline projections (turns, conversations, memories, profile, the Learner) run here, for the whole batch.
        if (appended) await session.SaveChangesAsync(ct);
        return outcomes.Select(o => o!).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var commit in _commitOfDatabase.Values) await commit.DisposeAsync();
    }
}

/// <summary>How turn writes are batched (configuration section <see cref="TurnWriter.Section"/>).</summary>
public sealed record TurnBatching(GroupCommitSettings Settings);
