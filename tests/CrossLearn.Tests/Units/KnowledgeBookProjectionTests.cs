using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;

namespace CrossLearn.Tests.Units;

/// <summary>The knowledge stream's write model (which patterns are promoted), from events built in memory (no database).</summary>
public sealed class KnowledgeBookProjectionTests
{
    private static readonly DateTimeOffset T0 = Stored.Epoch;

    private readonly KnowledgeBookProjection _projection = new();

    private static PatternPromoted Promoted(string type, string key) => new(type, key, 6, 40, 0.85, T0);
    private static PatternDemoted Demoted(string type, string key) => new(type, key, 3, 40, 0.9, "fewer than 4 users", T0);

    private KnowledgeBook? Fold(params object[] events) =>
        events.Aggregate((KnowledgeBook?)null, (book, data) => _projection.Evolve(book, KnowledgeStream.Key, Stored.On(KnowledgeStream.Key, data)));

    [Fact]
    public void A_promotion_enters_the_book_under_its_pattern_id_and_a_demotion_takes_it_out()
    {
        var book = Fold(Promoted(MemoryTypes.Preference, "jazz"), Promoted(MemoryTypes.Preference, "tea"), Demoted(MemoryTypes.Preference, "jazz"));

        Assert.NotNull(book);
        Assert.Equal(KnowledgeStream.Key, book.Id);
        Assert.Equal([Pattern.IdFor(MemoryTypes.Preference, "tea")], book.Promoted.Keys);
        Assert.Equal(new PromotedPattern(MemoryTypes.Preference, "tea"), book.Promoted[Pattern.IdFor(MemoryTypes.Preference, "tea")]);
    }

    [Fact]
    public void Demoted_then_promoted_again_in_one_batch_is_promoted()
    {
        var book = Fold(Promoted(MemoryTypes.Preference, "jazz"), Demoted(MemoryTypes.Preference, "jazz"), Promoted(MemoryTypes.Preference, "jazz"));
        Assert.Single(book!.Promoted);
    }

    [Fact]
    public void A_like_and_a_dislike_of_one_key_are_two_entries()
    {
        var book = Fold(Promoted(MemoryTypes.Preference, "jazz"), Promoted(MemoryTypes.NegativePreference, "jazz"));
        Assert.Equal(2, book!.Promoted.Count);
    }

    [Fact]
    public void An_aggregation_record_changes_nothing()
    {
        var book = Fold(Promoted(MemoryTypes.Preference, "jazz"), new AggregationCompleted("boss", 1, 1, 1, 0, 0, 0, T0));
        Assert.Single(book!.Promoted);
    }
}
