using CrossLearn.Features.Memories.Keys;

namespace CrossLearn.Tests.Extraction;

/// <summary>The same thing in other words meets on one key; the key is the thing, not the words around it.</summary>
public sealed class KeyCanonicalizerTests
{
    [Theory]
    // Plurals, possessives, quantities and synonyms.
    [InlineData("cats", "cat", "animal")]
    [InlineData("brownies", "brownie", "food")]          // -ies after a singular in -ie loses only the s
    [InlineData("pies", "pie", "food")]
    [InlineData("berries", "berry", "general")]
    [InlineData("my dog outside", "dog", "animal")]      // where, after a known thing, is cut
    [InlineData("sitting outside", "sitting outside", "general")]
    [InlineData("a glass of milk", "milk", "drink")]
    [InlineData("oysters again", "oyster", "food")]
    [InlineData("my cat", "cat", "animal")]
    [InlineData("two cats", "cat", "animal")]
    [InlineData("3 cats", "cat", "animal")]
    [InlineData("kittens", "cat", "animal")]
    [InlineData("puppies", "dog", "animal")]
    [InlineData("the e-mails", "email", "communication")]
    // Carrier verbs and tastes.
    [InlineData("eating anything spicy", "spicy food", "food")]
    [InlineData("spicy foods", "spicy food", "food")]
    [InlineData("drinking coffee", "coffee", "drink")]
    [InlineData("watching horror movies", "horror movie", "media")]
    [InlineData("playing video games", "video game", "media")]
    // Reasons and circumstances are not the thing.
    [InlineData("virtual reality experiences due to motion sickness issues", "virtual reality experience", "general")]
    [InlineData("green tea in the morning", "green tea", "drink")]
    [InlineData("jazz because it relaxes me", "jazz", "music")]
    // Words ending in -s that are not plurals stay as they are.
    [InlineData("tennis", "tennis", "sport")]
    [InlineData("the news", "news", "media")]
    [InlineData("glass", "glass", "general")]
    [InlineData("physics", "physics", "general")]
    [InlineData("famous authors", "famous author", "general")]
    [InlineData("hot chocolate", "hot chocolate", "drink")]
    [InlineData("pasta", "pasta", "food")]
    // Measures, lessons, a kind named before its member, a team watched at its sport.
    [InlineData("run 5 miles a day", "run", "general")]
    [InlineData("swim my 20 laps", "swim", "general")]
    [InlineData("my yoga classes", "yoga", "sport")]
    [InlineData("first class", "first class", "general")]
    [InlineData("watching the movie Heat", "heat", "general")]
    [InlineData("the book club", "book club", "place")]
    [InlineData("a show called Friends", "friends", "general")]
    [InlineData("watching the Jets play football", "jets", "general")]
    [InlineData("go to the park", "park", "place")]
    [InlineData("fishing once in a while", "fishing", "sport")]
    public void A_phrase_becomes_its_canonical_key_and_category(string phrase, string key, string category) =>
        Assert.Equal(new CanonicalKey(key, category), KeyCanonicalizer.Canonicalize(phrase));

    [Fact]
    public void Different_wordings_of_one_thing_meet_on_one_key()
    {
        string[] wordings = ["cats", "my cat", "two cats", "kittens", "a kitten", "my kitty"];
        Assert.Single(wordings.Select(w => KeyCanonicalizer.Canonicalize(w).Key).Distinct());
    }

    [Theory]
    [InlineData("hike", "hiking")]       // silent e goes
    [InlineData("dance", "dancing")]
    [InlineData("swim", "swimming")]     // one syllable, consonant-vowel-consonant: doubled
    [InlineData("shop", "shopping")]
    [InlineData("quit", "quitting")]     // the u of "qu" is no vowel
    [InlineData("read", "reading")]      // two vowels: not doubled
    [InlineData("cook", "cooking")]
    [InlineData("travel", "traveling")]  // unstressed last syllable: not doubled
    [InlineData("visit", "visiting")]
    [InlineData("begin", "beginning")]   // stressed last syllable: from the lexicon
    [InlineData("picnic", "picnicking")]
    [InlineData("tie", "tying")]
    [InlineData("see", "seeing")]
    [InlineData("be", "being")]
    [InlineData("dye", "dyeing")]
    [InlineData("play", "playing")]      // w, x, y never double
    [InlineData("fix", "fixing")]
    [InlineData("try", "trying")]
    [InlineData("ski", "skiing")]
    public void A_verb_gets_its_ing_form(string verb, string gerund) =>
        Assert.Equal(gerund, KeyCanonicalizer.Gerund(verb, KeyLexicon.English));

    [Fact]
    public void An_activity_said_with_to_or_with_ing_meets_on_one_key()
    {
        Assert.Equal("swimming", KeyCanonicalizer.Canonicalize("swim", startsWithVerb: true).Key);
        Assert.Equal("swimming", KeyCanonicalizer.Canonicalize("swimming").Key);
        // A carrier verb still goes once it has its -ing form: "to play tennis", "playing tennis".
        Assert.Equal("tennis", KeyCanonicalizer.Canonicalize("play tennis", startsWithVerb: true).Key);
        Assert.Equal("eating out", KeyCanonicalizer.Canonicalize("eat out", startsWithVerb: true).Key);
    }

    [Theory]
    [InlineData("walk", true)]     // "walking" is a known pastime
    [InlineData("have", true)]     // a carrier verb
    [InlineData("tea", false)]     // a known thing
    [InlineData("netflix", false)] // unknown words stay things
    public void A_word_after_rather_is_read_as_a_verb_only_when_known(string word, bool verb) =>
        Assert.Equal(verb, KeyCanonicalizer.IsKnownVerb(word));

    [Theory]
    [InlineData("", "")]
    [InlineData("   ", "")]
    [InlineData("!!!", "")]
    // A lone word is kept even when it would be dropped in front of another one.
    [InlineData("the", "the")]
    public void A_phrase_with_nothing_in_it_gives_an_empty_key(string phrase, string key) =>
        Assert.Equal(key, KeyCanonicalizer.Canonicalize(phrase).Key);

    [Fact]
    public void A_long_phrase_is_cut_to_a_few_words()
    {
        var key = KeyCanonicalizer.Canonicalize(string.Join(' ', Enumerable.Repeat("word", 50))).Key;
        Assert.True(key.Split(' ').Length <= 8);
    }

    [Theory]
    [InlineData("vanilla ice cream", "ice cream")]
    [InlineData("green tea", "tea")]
    [InlineData("pepperoni pizza", "pizza")]
    [InlineData("ice cream", null)]            // the kind itself is no variety of it
    [InlineData("tea", null)]
    [InlineData("chocolate milk", null)]       // milk is no kind in the list: a compound that names another thing
    [InlineData("ice cream sandwich", null)]
    [InlineData("tea party", null)]            // the kind must be the key's last words
    public void A_variety_names_its_kind(string key, string? kind) =>
        Assert.Equal(kind, KeyCanonicalizer.KindOfVariety(key));
}
