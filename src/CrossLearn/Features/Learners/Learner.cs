using CrossLearn.Platform.Storage;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Turns;
using JasperFx.Events;
using Marten.Events.Aggregation;


namespace CrossLearn.Features.Learners;

/// <summary>
/// The user's write model: everything a per-user decision needs (is this memory new? is this turn id used, and by
/// what? what rating does this one replace?), folded from the user's stream in the transaction that appends to it.
/// Writers load it with <c>FetchForExclusiveWriting</c>, which locks the user's stream row until their commit: the
/// stream is the lock, and no decision reads a read model.
/// </summary>
public sealed class Learner
{
    public string Id { get; set; } = "";

    /// <summary>The memories held now, by <see cref="SlotOf"/>.</summary>
    public Dictionary<string, MemoryLearning.Held> Memories { get; set; } = [];

    /// <summary>Every turn recorded: where its <see cref="TurnRecorded"/> stands in the stream, and its rating.</summary>
    public Dictionary<Guid, LearnerTurn> Turns { get; set; } = [];

    // A unit separator cannot appear in a normalised key or a memory type.
    public static string SlotOf(string type, string key) => $"{type}\u001f{key}";

    public bool Holds(string type, string key) => Memories.ContainsKey(SlotOf(type, key));
}

/// <param name="Version">The stream version of the turn's <see cref="TurnRecorded"/>: a retry is answered from it.</param>
/// <param name="Success">The turn's rating, null while unrated.</param>
/// <param name="Trials">The turn's exposures under an experiment (null: none): a rating of the turn carries them.</param>
public sealed record LearnerTurn(long Version, bool? Success, IReadOnlyList<Context.Exposure>? Trials = null);

/// <summary>
/// Inline, so the snapshot is exactly at the head of the stream whenever a writer fetches it. An event of a shape
/// this version does not know is refused (the write fails; a rebuild dead-letters it), as the read models do.
/// </summary>
public sealed partial class LearnerProjection : SingleStreamProjection<Learner, string>
{
    public LearnerProjection()
    {
        IncludeType<TurnRecorded>();
        IncludeType<FeedbackGiven>();
        IncludeType<MemoryLearned>();
        IncludeType<MemoryReinforced>();
        IncludeType<MemoryReplaced>();
        IncludeType<MemoryRetracted>();
        IncludeType<MemoryRekeyed>();
    }

    public override Learner? Evolve(Learner? snapshot, string id, IEvent e)
    {
        if (EventShapes.Rejection(e) is { } rejection) throw rejection;
        var learner = snapshot ?? new Learner { Id = id };
        switch (e.Data)
        {
            case TurnRecorded turn:
                learner.Turns[turn.TurnId] = new LearnerTurn(e.Version, null, TrialsOf(turn));
                break;
            case FeedbackGiven feedback when learner.Turns.TryGetValue(feedback.TurnId, out var rated):
                learner.Turns[feedback.TurnId] = rated with { Success = feedback.Success };
                break;
            case MemoryLearned m:
                Hold(learner, m.Type, m.Key, m.Value, m.Confidence);
                break;
            // As the memories read model: a reinforcement or replacement of nothing held holds nothing.
            case MemoryReinforced m when learner.Holds(m.Type, m.Key):
                Hold(learner, m.Type, m.Key, m.Value, m.Confidence);
                break;
            case MemoryReplaced m when learner.Holds(m.Type, m.Key):
                Hold(learner, m.Type, m.Key, m.Value, m.Confidence);
                break;
            case MemoryRetracted m:
                learner.Memories.Remove(Learner.SlotOf(m.Type, m.Key));
                break;
            case MemoryRekeyed m:
                learner.Memories.Remove(Learner.SlotOf(m.Type, m.OldKey));
                Hold(learner, m.Type, m.NewKey, m.Value, m.Confidence);
                break;
        }

        return learner;
    }

    private static IReadOnlyList<Context.Exposure>? TrialsOf(TurnRecorded turn) =>
        turn.Context?.Items.Where(i => i.ExperimentId != null).ToList() is { Count: > 0 } trials ? trials : null;

    private static void Hold(Learner learner, string type, string key, string value, double confidence) =>
        learner.Memories[Learner.SlotOf(type, key)] = new MemoryLearning.Held(type, key, value, confidence);
}
