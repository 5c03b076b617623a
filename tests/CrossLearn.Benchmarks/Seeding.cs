using System.Diagnostics;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Profile;
using CrossLearn.Features.Turns;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using JasperFx;
using JasperFx.Events;
using Marten;
using Weasel.Core;

namespace CrossLearn.Benchmarks;

/// <summary>
/// Seeds large populations directly through Marten (bulk COPY of documents, big event batches), not through
/// HTTP: the scenarios measure reads, aggregation and rebuilds, not how fast the seed was written.
/// The document mappings repeat src/CrossLearn/Platform/Storage/EventStore.cs for the two seeded types.
/// </summary>
public static class Seeding
{
    public static DocumentStore Store(string connectionString) => DocumentStore.For(o =>
    {
        o.Connection(connectionString);
        o.DatabaseSchemaName = EventStore.Schema;
        o.Events.DatabaseSchemaName = EventStore.Schema;
        o.Events.StreamIdentity = StreamIdentity.AsString;
        // The service created the schema; never let the seeder change it. Projected documents carry numeric revisions.
        o.AutoCreateSchemaObjects = AutoCreate.None;
        o.Schema.For<Memory>().UseNumericRevisions(true).Duplicate(m => m.UserId).Duplicate(m => m.Type).Duplicate(m => m.Key).Duplicate(m => m.Confidence);
        o.Schema.For<UserProfile>().UseNumericRevisions(true)
            .Duplicate(p => p.MemoryCount).Duplicate(p => p.InteractionCount).Duplicate(p => p.SuccessRate!)
            .Duplicate(p => p.RatedTurns).Duplicate(p => p.SuccessfulTurns);
        o.Schema.For<Pattern>().Duplicate(p => p.UserCount).Duplicate(p => p.ChangedAtSequence);
        o.Schema.For<CrossLearn.Features.Clusters.ClusterMembership>().UseNumericRevisions(true).Duplicate(m => m.ClusterId);
    });

    private static readonly string[] Types = [MemoryTypes.Preference, MemoryTypes.NegativePreference, MemoryTypes.Interest, MemoryTypes.PersonalInfo];

    /// <summary><paramref name="users"/> profiles holding <paramref name="memories"/> memories in all (bulk insert).</summary>
    public static async Task SeedPopulationAsync(DocumentStore store, int users, int memories, int seed)
    {
        var random = new Random(seed);
        var vocabulary = Workload.Vocabulary(2000);
        var now = DateTimeOffset.UtcNow;
        var perUser = Math.Max(1, memories / users);
        var watch = Stopwatch.StartNew();
        var profiles = new List<UserProfile>(users);
        var batch = new List<Memory>(100_000);
        var written = 0;
        // What the pattern projection would hold for these memories (the seed's rule: confident, not personal).
        var patterns = new Dictionary<string, Pattern>();
        for (var u = 0; u < users; u++)
        {
            var userId = $"pop-{u:D7}";
            var count = u < memories % users ? perUser + 1 : perUser;
            var held = new HashSet<(string, string)>();
            while (held.Count < count)
            {
                // Skewed: popular keys are held by many users, the tail by few.
                var key = vocabulary[(int)(vocabulary.Length * Math.Pow(random.NextDouble(), 3))];
                var type = Types[random.Next(Types.Length)];
                if (!held.Add((type, key))) continue;
                batch.Add(new Memory
                {
                    Id = Memory.IdFor(userId, type, key), UserId = userId, Type = type, Key = key, Value = key,
                    Confidence = Math.Round(0.5 + random.NextDouble() * 0.5, 4), TimesSeen = 1 + random.Next(5),
                    FirstLearnedAt = now, LastSeenAt = now, SourceTurnIds = [Guid.NewGuid()]
                });
            }

            var rated = random.Next(0, 30);
            var successful = rated == 0 ? 0 : (int)Math.Round(rated * (0.6 + 0.4 * random.NextDouble()));
            foreach (var memory in batch.TakeLast(count).Where(m => m.Confidence >= 0.7 && m.Type != MemoryTypes.PersonalInfo))
            {
                var id = Pattern.IdFor(memory.Type, memory.Key);
                if (!patterns.TryGetValue(id, out var pattern)) patterns[id] = pattern = new Pattern { Id = id, Type = memory.Type, Key = memory.Key };
                pattern.UserCount++;
                pattern.RatedTurns += rated;
                pattern.SuccessfulTurns += successful;
            }

            profiles.Add(new UserProfile
            {
                Id = userId, MemoryCount = count, InteractionCount = count + random.Next(0, 200), RatedTurns = rated,
                SuccessfulTurns = successful, SuccessRate = rated == 0 ? null : Math.Round((double)successful / rated, 4),
                FirstSeenAt = now, LastSeenAt = now
            });

            if (batch.Count >= 100_000)
            {
                await store.BulkInsertAsync(batch, BulkInsertMode.InsertsOnly, batchSize: 10_000);
                written += batch.Count;
                batch.Clear();
                Log.Info($"  memories {written:N0}/{memories:N0} ({written / watch.Elapsed.TotalSeconds:N0}/s)");
            }
        }

        await store.BulkInsertAsync(batch, BulkInsertMode.InsertsOnly, batchSize: 10_000);
        await store.BulkInsertAsync(profiles, BulkInsertMode.InsertsOnly, batchSize: 10_000);
        var shown = patterns.Values.Where(p => p.UserCount >= 2).ToList();
        // The ingest before it may have formed some of these patterns (same words): those holders count too.
        await using (var session = store.QuerySession())
        {
            var formed = (await session.LoadManyAsync<Pattern>(shown.Select(p => p.Id))).ToDictionary(p => p.Id);
            foreach (var pattern in shown.Where(p => formed.ContainsKey(p.Id)))
            {
                pattern.UserCount += formed[pattern.Id].UserCount;
                pattern.RatedTurns += formed[pattern.Id].RatedTurns;
                pattern.SuccessfulTurns += formed[pattern.Id].SuccessfulTurns;
                pattern.ChangedAtSequence = formed[pattern.Id].ChangedAtSequence;
            }
        }

        await store.BulkInsertAsync(shown, BulkInsertMode.OverwriteExisting, batchSize: 10_000);
        Log.Info($"  seeded {users:N0} profiles, {written + batch.Count:N0} memories and their {shown.Count:N0} patterns in {watch.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Appends about <paramref name="events"/> events to new user streams, in big batches (Quick append).</summary>
    public static async Task SeedEventsAsync(DocumentStore store, int events, int seed)
    {
        if (events <= 0) return;
        var vocabulary = Workload.Vocabulary(300);
        var watch = Stopwatch.StartNew();
        var appended = 0;
        var nextUser = 0;
        var gate = new object();

        async Task Writer(int w)
        {
            var random = new Random(seed + w);
            while (true)
            {
                await using var session = store.LightweightSession();
                var inBatch = 0;
                while (inBatch < 2_000)
                {
                    int user;
                    lock (gate)
                    {
                        if (appended >= events) break;
                        user = nextUser++;
                    }

                    var stream = UserStream($"ev-{user:D7}", random, vocabulary);
                    session.Events.Append($"ev-{user:D7}", stream);
                    inBatch += stream.Count;
                    lock (gate) appended += stream.Count;
                }

                if (inBatch == 0) return;
                await session.SaveChangesAsync();
                int done;
                lock (gate) done = appended;
                if (w == 0 && done * 10L / events != (done - inBatch) * 10L / events)
                    Log.Info($"  events {done:N0}/{events:N0} ({done / watch.Elapsed.TotalSeconds:N0}/s)");
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 2).Select(Writer));
        Log.Info($"  appended {appended:N0} events in {watch.Elapsed.TotalSeconds:F1} s ({appended / watch.Elapsed.TotalSeconds:N0}/s)");
    }

    /// <summary>About ten events of one user: turns, what they taught (learned, then reinforced), ratings.</summary>
    private static List<object> UserStream(string userId, Random random, string[] vocabulary)
    {
        var events = new List<object>();
        var held = new Dictionary<(string, string), double>();
        var turns = new List<(Guid Id, bool? Success)>();
        var at = DateTimeOffset.UtcNow.AddDays(-30);
        var count = 6 + random.Next(4);
        for (var t = 0; t < count; t++)
        {
            at = at.AddMinutes(random.Next(1, 600));
            var turnId = Guid.CreateVersion7(at);
            var (message, answer) = Workload.Next(random);
            var learned = new List<MemoryLearning.Learned>();
            var memoryEvents = new List<object>();
            if (random.Next(3) == 0)
            {
                var type = Types[random.Next(3)];
                var key = vocabulary[(int)(vocabulary.Length * Math.Pow(random.NextDouble(), 3))];
                if (held.TryGetValue((type, key), out var confidence))
                {
                    var next = MemoryLearning.Reinforce(confidence, 0.9);
                    held[(type, key)] = next;
                    memoryEvents.Add(new MemoryReinforced(userId, type, key, key, next, turnId, at));
                    learned.Add(new MemoryLearning.Learned(type, key, key, next));
                }
                else
                {
                    held[(type, key)] = 0.9;
                    memoryEvents.Add(new MemoryLearned(userId, type, key, key, 0.9, turnId, at));
                    learned.Add(new MemoryLearning.Learned(type, key, key, 0.9));
                }
            }

            events.Add(new TurnRecorded(userId, turnId, $"c-{userId}", message, answer, at, learned));
            events.AddRange(memoryEvents);
            turns.Add((turnId, null));
            if (random.Next(4) == 0)
            {
                var success = random.Next(10) < 8;
                events.Add(new FeedbackGiven(userId, turnId, success, null, at.AddSeconds(30)));
            }
        }

        return events;
    }
}
