using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;

namespace CrossLearn.Tests.Units;

/// <summary>Global knowledge, one Evolve step at a time, from events built in memory (no database).</summary>
public sealed class KnowledgeProjectionTests
{
    private static readonly DateTimeOffset T0 = Stored.Epoch;
    private static readonly string JazzId = Pattern.IdFor(MemoryTypes.Preference, "jazz");

    private readonly KnowledgeProjection _projection = new();

    private static PatternPromoted Promoted(int users, double rate, DateTimeOffset at) =>
        new(MemoryTypes.Preference, "jazz", users, 40, rate, at);

    private static PatternDemoted Demoted(DateTimeOffset at) =>
        new(MemoryTypes.Preference, "jazz", 3, 40, 0.9, "fewer than 4 users", at);

    private KnowledgeItem? Fold(params object[] events) =>
        events.Aggregate((KnowledgeItem?)null, (item, data) => _projection.Evolve(item, JazzId, Stored.On(KnowledgeStream.Key, data)));

    [Fact]
    public void A_promotion_makes_knowledge_with_the_figures_it_qualified_with()
    {
        var item = Fold(Promoted(6, 0.85, T0));

        Assert.NotNull(item);
        Assert.Equal((JazzId, MemoryTypes.Preference, "jazz", 6, 40, 0.85, T0),
            (item.Id, item.Type, item.Key, item.UserCount, item.RatedTurns, item.SuccessRate, item.PromotedAt));
    }

    [Fact]
    public void A_demotion_deletes_the_knowledge()
    {
        Assert.Null(Fold(Promoted(6, 0.85, T0), Demoted(T0.AddDays(1))));
    }

    [Fact]
    public void Knowledge_demoted_then_promoted_again_in_one_batch_exists_with_the_new_figures()
    {
        // As a rebuild applies them: the delete does not swallow the later promotion.
        var item = Fold(Promoted(6, 0.85, T0), Demoted(T0.AddDays(1)), Promoted(7, 0.9, T0.AddDays(2)));

        Assert.NotNull(item);
        Assert.Equal((7, 0.9, T0.AddDays(2)), (item.UserCount, item.SuccessRate, item.PromotedAt));
    }

    [Fact]
    public void Other_events_on_the_knowledge_stream_leave_the_knowledge_as_it_is()
    {
        var item = Fold(Promoted(6, 0.85, T0));
        var aggregation = Stored.On(KnowledgeStream.Key, new AggregationCompleted("admin", 3, 2, 1, 0, 0, 0, T0.AddHours(1)));

        Assert.Same(item, _projection.Evolve(item, JazzId, aggregation));
        Assert.Null(_projection.Evolve(null, JazzId, aggregation));
    }
}
