using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossLearn.Features.Memories;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;

namespace CrossLearn.Tests.Platform;

/// <summary>Events are read strictly, said once in the serializer set-up (no attributes on the records); documents are not.</summary>
public sealed class StrictEventReadingTests
{
    private static readonly JsonSerializerOptions Options = new() { TypeInfoResolver = StrictEventReading.Resolver(null) };

    private static IEnumerable<Type> Events() =>
        typeof(IEventFacts).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IEventFacts).IsAssignableFrom(t)).OrderBy(t => t.Name);

    public static TheoryData<Type> EventTypes() => new(Events());

    [Fact]
    public void Every_event_of_the_service_is_one()
    {
        // The events the projections and the live feed know; a new event that forgot the interface would be read loosely.
        var names = Events().Select(t => t.Name).ToList();
        Assert.Superset(new HashSet<string> { "TurnRecorded", "FeedbackGiven", "MemoryLearned", "MemoryReinforced", "MemoryReplaced", "MemoryRetracted",
            "MemoryRekeyed", "PatternPromoted", "PatternDemoted", "AggregationCompleted", "UserErasureStarted", "UserErased",
            "ReextractionStarted", "ReextractionProgressed", "ReextractionResumed", "ReextractionCompleted" }, names.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void An_event_without_its_members_or_with_one_this_version_does_not_know_does_not_deserialize(Type type)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("{}", type, Options));

        var complete = JsonSerializer.SerializeToNode(RuntimeHelpers.GetUninitializedObject(type), type, Options)!.AsObject();
        Assert.NotNull(JsonSerializer.Deserialize(complete.ToJsonString(), type, Options));

        complete["schemaVersion"] = 99;
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(complete.ToJsonString(), type, Options));
    }

    [Fact]
    public void A_member_with_a_default_or_a_nullable_one_may_be_missing()
    {
        // Category and ExtractorVersion came later: events written before them still read.
        var old = """{"UserId":"ana","Type":"preference","Key":"jazz","Value":"jazz","Confidence":0.9,"TurnId":"0193e8a4-0000-7000-8000-000000000001","LearnedAt":"2026-01-01T00:00:00Z"}""";
        var learned = JsonSerializer.Deserialize<MemoryLearned>(old, Options)!;
        Assert.Null(learned.Category);

        var retracted = """{"UserId":"ana","Type":"preference","Key":"jazz","Reason":"erased_by_user","RetractedAt":"2026-01-01T00:00:00Z"}""";
        Assert.Null(JsonSerializer.Deserialize<MemoryRetracted>(retracted, Options)!.TurnId);
    }

    [Fact]
    public void A_document_is_not_read_strictly()
    {
        var memory = JsonSerializer.Deserialize<Memory>("""{"Id":"m1","UserId":"ana","SomethingNewer":1}""", Options)!;
        Assert.Equal("ana", memory.UserId);
    }
}
