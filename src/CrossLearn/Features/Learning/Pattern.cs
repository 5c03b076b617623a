using CrossLearn.Platform.Sharding;
using CrossLearn.Platform.Storage;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Privacy;
using CrossLearn.Features.Turns;
using CrossLearn.Platform.Http;
using JasperFx.Events;
using Marten;
using Marten.Events.Projections;
using Npgsql;

namespace CrossLearn.Features.Learning;

/// <summary>
/// One (type, key) with the number of distinct users who hold it at pattern confidence, and their summed
/// ratings. Shown as a global pattern from <see cref="LearningSettings.PatternMinUsers"/> holders on.
/// Deleted when nobody holds it any more.
/// </summary>
public sealed class Pattern
{
    public string Id { get; set; } = "";
    public string Type { get; set; } = "";
    public string Key { get; set; } = "";
    public int UserCount { get; set; }
    public int RatedTurns { get; set; }
    public int SuccessfulTurns { get; set; }
    /// <summary>Sequence of the last event that changed this pattern: the promotion watcher's cursor.</summary>
    public long ChangedAtSequence { get; set; }

    public double? SuccessRate => Profile.SuccessRate.Of(SuccessfulTurns, RatedTurns);

    public static string IdFor(string type, string key) => $"{type}\u001f{key}";
}

/// <summary>
/// What the pattern projection knows of one user: the patterns they count toward and their ratings
/// (a pattern's success rate sums its holders' ratings).
/// </summary>
public sealed class PatternHolder
{
    public string Id { get; set; } = "";
    public HashSet<string> Patterns { get; set; } = [];
    public int RatedTurns { get; set; }
    public int SuccessfulTurns { get; set; }
    /// <summary>The last event that changed this holder: a replayed event at or below it is skipped.</summary>
    public long AppliedSequence { get; set; }
}

/// <summary>
/// Cross-user counters, kept by the async daemon one batch at a time: each event touches one pattern
/// (a memory event) or the patterns of one user (a rating), never all users. Async, not inline, because
/// many users' writes meet in one pattern document. A rebuild counts them without the daemon (<see cref="PatternFold"/>).
/// </summary>
public sealed class PatternProjection(LearningSettings settings, ShardDataSources pools) : IProjection
{
    public const string Name = "Patterns";

    public async Task ApplyAsync(IDocumentOperations operations, IReadOnlyList<IEvent> events, CancellationToken ct)
    {
        // An event of a shape this version does not know is dead-lettered and skipped on its own; the rest of the
        // batch is applied. (Marten can only isolate the failing event of projections it drives event by event;
        // this one applies a whole batch at once, so a throw here would fail every good event with it.)
        void DeadLetter(IEvent e, Exception reason) => operations.Store(DeadLetterRecords.For(Name, e, reason));
        var relevant = PatternCounting.Relevant(events, DeadLetter);
        if (relevant.Count == 0) return;

        // While a rebuild counts the patterns itself (PatternFold), a batch that touches them waits, then finds what the
        // rebuild wrote; the events it then applies again are no-ops by each holder's high-water mark. A rebuild waits
        // in turn for the batch being applied. The announcement is the batch's own database's (advisory locks are per
        // database): a batch of one shard waits for that shard's rebuild.
#pragma warning disable CS0618 // Identifier is the shard's name in the map; the Id value object names host and database.
        await using var _ = await RebuildAnnouncement.HoldOffAsync(pools.Named(operations.Database.Identifier), ct);
#pragma warning restore CS0618

        var holders = (await operations.LoadManyAsync<PatternHolder>(ct, relevant.Select(e => PatternCounting.UserOf(e.Data)).Distinct()))
            .ToDictionary(h => h.Id);
        // Ratings and erasures touch every pattern their user holds.
        var raters = relevant.Where(e => e.Data is FeedbackGiven or UserErasureStarted).Select(e => PatternCounting.UserOf(e.Data)).ToHashSet();
        var patternIds = relevant.SelectMany(e => PatternCounting.PatternsOf(e.Data))
            .Concat(raters.SelectMany(u => holders.TryGetValue(u, out var h) ? h.Patterns : []))
            .Distinct();
        var patterns = (await operations.LoadManyAsync<Pattern>(ct, patternIds)).ToDictionary(p => p.Id);

        var counting = new PatternCounting(settings, holders, patterns, DeadLetter);
        counting.Apply(relevant);

        // An erased user's holder goes, unless a new history began after the erasure (then it is overwritten).
        foreach (var userId in counting.ErasedHolders) operations.Delete<PatternHolder>(userId);
        operations.Store(counting.ChangedHolders.ToArray());
        operations.Store(counting.ChangedPatterns.Where(p => p.UserCount > 0).ToArray());
        // A pattern nobody holds is removed: its key may be text only its last holder wrote.
        foreach (var empty in counting.ChangedPatterns.Where(p => p.UserCount == 0)) operations.Delete<Pattern>(empty.Id);
    }
}

/// <summary>
/// The counting itself, in memory, over holders and patterns given to it: the daemon gives it what it loaded for a
/// batch, a rebuild gives it empty ones per batch of users and sums the patterns (<see cref="PatternFold"/>). A holder's
/// high-water mark makes an event it has applied already harmless, so both may see an event twice.
/// </summary>
public sealed class PatternCounting(
    LearningSettings settings, Dictionary<string, PatternHolder> holders, Dictionary<string, Pattern> patterns, Action<IEvent, Exception> deadLetter)
{
    private readonly HashSet<Pattern> _changedPatterns = [];
    private readonly HashSet<PatternHolder> _changedHolders = [];
    private readonly HashSet<string> _erased = [];

    public IReadOnlyCollection<Pattern> ChangedPatterns => _changedPatterns;
    public IReadOnlyCollection<PatternHolder> ChangedHolders => _changedHolders;

    /// <summary>Erased users whose holder is to go (no new history began after their erasure).</summary>
    public IEnumerable<string> ErasedHolders => _erased.Where(id => _changedHolders.All(h => h.Id != id));

    /// <summary>The events the counting takes; one of a shape this version does not know goes to <paramref name="rejected"/>.</summary>
    public static List<IEvent> Relevant(IEnumerable<IEvent> events, Action<IEvent, Exception> rejected)
    {
        var relevant = new List<IEvent>();
        foreach (var e in events.Where(e => e.Data is MemoryLearned or MemoryReinforced or MemoryRetracted or MemoryRekeyed or FeedbackGiven or UserErasureStarted))
        {
            if (EventShapes.Rejection(e) is { } rejection) rejected(e, rejection);
            else relevant.Add(e);
        }

        return relevant;
    }

    /// <summary>Applies <paramref name="relevant"/> (from <see cref="Relevant"/>, in sequence order per user).</summary>
    public void Apply(IReadOnlyList<IEvent> relevant)
    {
        foreach (var e in relevant)
        {
            var userId = UserOf(e.Data);
            if (!holders.TryGetValue(userId, out var holder)) holders[userId] = holder = new PatternHolder { Id = userId };
            // Every event is per user, so the holder's high-water mark makes replays (a rebuild that did not
            // clear, a batch delivered twice) harmless.
            if (e.Sequence <= holder.AppliedSequence) continue;

            try
            {
                switch (e.Data)
                {
                    case MemoryLearned m when Counts(m.Type, m.Confidence):
                        Join(holder, PatternFor(m.Type, m.Key), e.Sequence);
                        break;
                    case MemoryReinforced m when Counts(m.Type, m.Confidence):
                        Join(holder, PatternFor(m.Type, m.Key), e.Sequence);
                        break;
                    case MemoryRetracted m when holder.Patterns.Contains(Pattern.IdFor(m.Type, m.Key)):
                        Leave(holder, PatternFor(m.Type, m.Key), e.Sequence);
                        break;
                    case MemoryRekeyed m:
                        // The holder moves: out of the old key's pattern, into the new one's (never counted twice).
                        if (holder.Patterns.Contains(Pattern.IdFor(m.Type, m.OldKey))) Leave(holder, PatternFor(m.Type, m.OldKey), e.Sequence);
                        if (Counts(m.Type, m.Confidence)) Join(holder, PatternFor(m.Type, m.NewKey), e.Sequence);
                        break;
                    case FeedbackGiven f:
                        Rate(holder, f, e.Sequence);
                        break;
                    case UserErasureStarted:
                        foreach (var id in holder.Patterns.ToList()) Leave(holder, patterns[id], e.Sequence);
                        // A turn after the erasure (later in this batch) starts a new history from nothing.
                        _changedHolders.Remove(holder);
                        holders[userId] = new PatternHolder { Id = userId, AppliedSequence = e.Sequence };
                        _erased.Add(userId);
                        break;
                }
            }
            catch (Exception unexpected) when (unexpected is not OperationCanceledException)
            {
                // Only in-memory work happens here (nothing touches the database), so this is a fault of the event
                // or of this code, never a transient one: one event must not stop learning for everyone.
                deadLetter(e, unexpected);
            }
        }
    }

    private Pattern PatternFor(string type, string key)
    {
        var id = Pattern.IdFor(type, key);
        if (!patterns.TryGetValue(id, out var pattern)) patterns[id] = pattern = new Pattern { Id = id, Type = type, Key = key };
        return pattern;
    }

    private void Join(PatternHolder holder, Pattern pattern, long sequence)
    {
        if (!holder.Patterns.Add(pattern.Id)) return;
        pattern.UserCount++;
        pattern.RatedTurns += holder.RatedTurns;
        pattern.SuccessfulTurns += holder.SuccessfulTurns;
        Touch(holder, pattern, sequence);
    }

    private void Leave(PatternHolder holder, Pattern pattern, long sequence)
    {
        holder.Patterns.Remove(pattern.Id);
        pattern.UserCount--;
        pattern.RatedTurns -= holder.RatedTurns;
        pattern.SuccessfulTurns -= holder.SuccessfulTurns;
        Touch(holder, pattern, sequence);
    }

    private void Rate(PatternHolder holder, FeedbackGiven f, long sequence)
    {
        var rated = f.PreviousSuccess == null ? 1 : 0;
        var successful = (f.Success ? 1 : 0) - (f.PreviousSuccess == true ? 1 : 0);
        holder.RatedTurns += rated;
        holder.SuccessfulTurns += successful;
        holder.AppliedSequence = sequence;
        _changedHolders.Add(holder);
        foreach (var id in holder.Patterns)
        {
            var pattern = patterns[id];
            pattern.RatedTurns += rated;
            pattern.SuccessfulTurns += successful;
            Touch(holder, pattern, sequence);
        }
    }

    private void Touch(PatternHolder holder, Pattern pattern, long sequence)
    {
        holder.AppliedSequence = sequence;
        // The latest touch: the daemon touches in sequence order, a rebuild user by user.
        pattern.ChangedAtSequence = Math.Max(pattern.ChangedAtSequence, sequence);
        _changedPatterns.Add(pattern);
        _changedHolders.Add(holder);
    }

    private bool Counts(string type, double confidence) =>
        type != MemoryTypes.PersonalInfo && confidence >= settings.PatternMinConfidence;

    // Every event this projection takes (see the filter above) is about one user.
    public static string UserOf(object data) =>
        (data as IEventFacts)?.UserId ?? throw new ArgumentOutOfRangeException(nameof(data), "an event about no user");

    // Personal info never leaves its owner: it is in no pattern.
    public static IEnumerable<string> PatternsOf(object data) =>
        data is IMemoryFacts { Type: not MemoryTypes.PersonalInfo } m ? m.Keys.Select(key => Pattern.IdFor(m.Type, key)) : [];
}

/// <summary>
/// The patterns counted again by a rebuild without the daemon: each batch of users is counted from nothing (its
/// holders written with the batch), the batches' patterns summed, and written once all are done. The daemon's batches
/// wait meanwhile (<see cref="RebuildAnnouncement.HoldOffAsync"/>) and go on from their own progress; what they read
/// again, each holder's high-water mark turns into no-ops.
/// </summary>
public sealed class PatternFold(LearningSettings settings) : IShardFold
{
    public string ProjectionName => PatternProjection.Name;

    public IGatheringFold Begin() => new Run(settings);

    private sealed class Run(LearningSettings settings) : IGatheringFold
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, Pattern> _patterns = [];
        private readonly List<string> _streams = [];

        public Type ProjectionType => typeof(PatternProjection);
        public Type DocumentType => typeof(PatternHolder);
        public string DeadLetterName => PatternProjection.Name;

        public void Refold(DocumentReplacement replacement, IReadOnlyList<string> streams, IReadOnlyList<IEvent> events, Action<IEvent, Exception> refused)
        {
            var patterns = new Dictionary<string, Pattern>();
            var counting = new PatternCounting(settings, [], patterns, refused);
            counting.Apply(PatternCounting.Relevant(events, refused));
            replacement.Replace($"DELETE FROM {StoreTables.Of<PatternHolder>()} WHERE id = ANY($1)", [streams.ToArray()], counting.ChangedHolders.ToList());
            lock (_gate)
            {
                _streams.AddRange(streams);
                foreach (var part in patterns.Values)
                {
                    if (!_patterns.TryGetValue(part.Id, out var total)) _patterns[part.Id] = total = new Pattern { Id = part.Id, Type = part.Type, Key = part.Key };
                    total.UserCount += part.UserCount;
                    total.RatedTurns += part.RatedTurns;
                    total.SuccessfulTurns += part.SuccessfulTurns;
                    total.ChangedAtSequence = Math.Max(total.ChangedAtSequence, part.ChangedAtSequence);
                }
            }
        }

        public void Finish(DocumentReplacement replacement)
        {
            // Holders of streams that are gone (erased since they were listed) go too.
            replacement.Replace($"DELETE FROM {StoreTables.Of<PatternHolder>()} WHERE NOT (id = ANY($1))", [_streams.ToArray()], Array.Empty<PatternHolder>());
            // A pattern nobody holds is not written, as the daemon deletes it.
            replacement.Replace($"DELETE FROM {StoreTables.Of<Pattern>()}", [], _patterns.Values.Where(p => p.UserCount > 0).ToList());
            // A rebuilt shard reports every figure again (under its next report number): the global side gets all of it
            // anew, whatever it held, as the shard's counts now are, and zero for patterns nobody here holds any more
            // (docs/scaling.md).
            replacement.Replace(ReportedPatternFigures.MarkAllUnsentSql, [], Array.Empty<ReportedPatternFigures>());
        }
    }
}
