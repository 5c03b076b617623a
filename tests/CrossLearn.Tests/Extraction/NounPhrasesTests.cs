using CrossLearn.Features.Memories.Extraction.Rules.English;

namespace CrossLearn.Tests.Extraction;

/// <summary>What a pronoun after a stretch of text may stand for: the noun phrase that ends it, or nothing.</summary>
public sealed class NounPhrasesTests
{
    [Theory]
    [InlineData("my cousin drinks whisky but", "whisky")]
    [InlineData("all my dog eats is salmon, and", "salmon")]
    [InlineData("she made the lasagne", "the lasagne")]
    [InlineData("my aunt knits scarves and", "scarves")]
    [InlineData("we play chess every week, but", "chess")]
    [InlineData("I read the hobbit last month and", "the hobbit")]
    [InlineData("I had a job caring for horses, but now", "horses")]
    public void The_phrase_at_the_end_is_the_thing(string text, string phrase) => Assert.Equal(phrase, NounPhrases.Last(text));

    [Theory]
    [InlineData("I wait but")]                 // a subject and its verb
    [InlineData("the clouds are low and")]     // after a copula, an unknown word may be an adjective
    [InlineData("we stayed in shape and")]      // after a place preposition, a place or a state
    [InlineData("it rained all day and")]       // a circumstance, then a verb
    [InlineData("she told me")]                 // a pronoun
    public void No_thing_gives_nothing(string text) => Assert.Equal("", NounPhrases.Last(text));
}
