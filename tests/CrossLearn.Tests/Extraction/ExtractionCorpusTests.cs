using CrossLearn.Features.Memories;

namespace CrossLearn.Tests.Extraction;

/// <summary>
/// Table-driven corpus for <see cref="MemoryExtractor"/>. Every sentence here was written for this test
/// (none comes from the PersonaChat measurement set). Each case gives the exact set of (type, key) pairs
/// expected; some also pin the value of the first memory and a confidence band.
/// Expected pairs are written "p:key" (preference), "n:key" (negative_preference), "i:key" (personal_info)
/// and "t:key" (interest).
/// </summary>
public class ExtractionCorpusTests
{
    public enum Band { Any, Explicit, Emphatic, Hedged, Indirect }

    public sealed record Case(string Message, string[] Expected, string? Value = null, Band Band = Band.Any);

    private static Case C(string message, params string[] expected) => new(message, expected);
    private static Case V(string message, string value, params string[] expected) => new(message, expected, value);
    private static Case B(string message, Band band, params string[] expected) => new(message, expected, null, band);
    private static Case VB(string message, string value, Band band, params string[] expected) => new(message, expected, value, band);

    public static readonly Case[] Corpus =
    [
        // ---- preference: each cue
        V("I prefer green tea in the morning.", "green tea in the morning", "p:green tea", "p:tea"),
        C("I'd prefer dark mode", "p:dark mode"),
        C("I would prefer shorter answers.", "p:shorter answer"),
        C("I always use tabs", "p:tab"),
        C("I like coffee", "p:coffee"),
        C("I love hiking in the Alps!", "p:hiking", "t:hiking"),
        C("I'd rather walk", "p:walking"),
        C("I would rather take the train than fly.", "p:train", "n:fly"),
        C("i like to swim", "p:swimming", "t:swimming"),
        C("I enjoy board games with friends", "p:board game"),
        C("I really love sourdough bread.", "p:sourdough bread", "p:bread"),
        C("I'm a big fan of jazz", "p:jazz"),
        C("I'm into indie films", "p:indie movie"),
        C("I much prefer paper books", "p:paper book"),
        C("I do like a good mystery novel", "p:mystery novel"),
        C("I also love cycling", "p:cycling", "t:cycling"),
        C("I like my coffee black.", "p:coffee black"),
        C("I adore old maps", "p:old map"),
        C("i prefer examples in python please", "p:example"),
        C("I prefer the metric system", "p:metric system"),
        C("I prefer an early start", "p:early start"),
        C("My favourite colour is teal", "p:teal"),
        C("Sushi is my favorite food.", "p:sushi"),
        C("I'm a huge chess fan", "p:chess"),
        C("I play the cello", "t:cello", "p:cello"),
        C("I always drink water before bed", "p:water"),

        // ---- negative preference: each cue
        C("Never call me after 9pm", "n:call me after 9pm"),
        C("I never use tabs", "n:tab"),
        C("I don't like coffee", "n:coffee"),
        C("I do not like loud music", "n:loud music"),
        C("I hate coffee", "n:coffee"),
        C("I dislike long meetings.", "n:long meeting"),
        C("I really hate traffic", "n:traffic"),
        C("I can't stand reality TV", "n:reality tv"),
        C("I cannot stand cilantro.", "n:cilantro"),
        C("I'm not a fan of horror movies", "n:horror movie"),
        C("i am not into football", "n:football"),
        C("I'd rather not talk about politics", "n:talk about politics"),
        C("I'd prefer not to use emojis", "n:emoji"),
        C("I don't eat meat", "n:meat"),
        C("I never eat meat", "n:meat"),
        C("I always eat meat", "p:meat"),
        C("I do not drink alcohol.", "n:alcohol"),
        C("Please never send me spam", "n:send me spam"),
        C("Never, ever use Comic Sans.", "n:comic sans"),
        C("I avoid sugar", "n:sugar"),
        C("I never liked spinach", "n:spinach"),
        C("I detest early mornings", "n:early morning"),
        C("I'm afraid of heights", "n:height"),
        C("Olives are not my thing", "n:olive"),

        // ---- same key for a positive and a negative
        C("I like green tea", "p:green tea", "p:tea"),
        C("I hate green tea", "n:green tea"),
        C("I don't like green tea", "n:green tea"),
        C("I love the rain", "p:rain"),
        C("I dislike the rain", "n:rain"),
        C("Always answer in French", "p:french"),
        C("Never answer in French", "n:french"),

        // ---- personal info
        VB("My name is Ana", "Ana", Band.Explicit, "i:name"),
        V("my name is Jean-Luc Picard", "Jean-Luc Picard", "i:name"),
        V("My name is Dr. Sofia Rossi", "Dr. Sofia Rossi", "i:name"),
        V("My name's Tomás.", "Tomás", "i:name"),
        V("Hi, I'm Priya", "Priya", "i:name"),
        V("I live in Lisbon", "Lisbon", "i:location"),
        V("I live in São Paulo, Brazil.", "São Paulo, Brazil", "i:location"),
        V("I'm living in Berlin at the moment", "Berlin", "i:location"),
        V("I am based in Nairobi", "Nairobi", "i:location"),
        V("I work as a nurse", "nurse", "i:occupation"),
        V("I work as an Air Traffic Controller.", "Air Traffic Controller", "i:occupation"),
        V("I'm a carpenter by trade", "carpenter", "i:occupation"),
        V("I am a data analyst by profession.", "data analyst", "i:occupation"),
        V("I'm a software engineer at a bank", "software engineer", "i:occupation"),
        V("My job is teaching", "teaching", "i:occupation"),
        V("I'm from Ghana", "Ghana", "i:origin"),
        V("I work at a small bakery", "a small bakery", "i:workplace"),
        V("I am 34 years old", "34", "i:age"),
        V("My name is Ana and I live in Porto.", "Ana", "i:name", "i:location"),

        // ---- interest
        C("I'm working on a compiler", "t:compiler"),
        C("I am working on my thesis", "t:thesis"),
        C("I'm currently working on a mobile game.", "t:mobile game"),
        C("I'm interested in astronomy", "t:astronomy"),
        C("I'm learning Japanese", "t:japanese"),
        C("I am learning to play the guitar", "t:guitar"),
        C("I'm learning how to bake bread", "t:baking bread"),
        C("I've been learning Rust for a month", "t:rust"),
        C("I'm studying marine biology", "t:marine biology"),
        C("My hobby is woodworking", "t:woodworking", "p:woodworking"),
        C("I'm passionate about urban gardening", "t:urban gardening"),
        C("I want to become a pilot", "t:become pilot"),
        C("Pottery is my passion.", "t:pottery"),

        // ---- several clauses in one message
        C("My name is Ana and I prefer tea. Never call me.", "i:name", "p:tea", "n:call me"),
        C("I like tea, and I hate coffee", "p:tea", "n:coffee"),
        C("I love cats but I dislike dogs", "p:cat", "n:dog"),
        C("I live in Oslo; I work as a plumber.", "i:location", "i:occupation"),
        C("I like tea and I like coffee", "p:tea", "p:coffee"),
        C("I prefer tea. I'm learning Korean. I'm from Chile!", "p:tea", "t:korean", "i:origin"),
        C("I'm a teacher and I love poetry", "i:occupation", "p:poetry"),
        C("I enjoy running, I hate swimming", "p:running", "t:running", "n:swimming"),
        C("I like rock\nI dislike pop", "p:rock", "n:pop"),
        C("I'm learning Spanish because I want to travel", "t:spanish", "t:traveling"),
        C("I love pasta, especially with pesto", "p:pasta"),
        C("I like salt and pepper", "p:salt and pepper"),
        C("I prefer tea so I never drink coffee", "p:tea", "n:coffee"),

        // ---- dedup: same (type, key) twice counts once, higher confidence kept
        B("I like tea. I really like tea!", Band.Emphatic, "p:tea"),
        B("Maybe I like tea. I like tea.", Band.Explicit, "p:tea"),
        C("I love jazz. I love jazz.", "p:jazz"),
        C("I hate mushrooms and I really hate mushrooms", "n:mushroom"),

        // ---- confidence
        B("I prefer tea", Band.Explicit, "p:tea"),
        B("I definitely prefer tea", Band.Emphatic, "p:tea"),
        B("I really love opera", Band.Emphatic, "p:opera"),
        B("I think I prefer tea", Band.Hedged, "p:tea"),
        B("Maybe I like sushi", Band.Hedged, "p:sushi"),
        B("Perhaps I'd prefer the blue one", Band.Hedged, "p:blue one"),
        B("I sometimes like horror films", Band.Hedged, "p:horror movie"),
        B("I probably prefer mornings", Band.Hedged, "p:morning"),
        B("I kind of like country music", Band.Hedged, "p:country music"),
        B("I guess I like puzzles", Band.Hedged, "p:puzzle", "t:puzzle"),
        B("I like cold brew, I guess", Band.Hedged, "p:cold brew"),
        B("I never use tabs", Band.Emphatic, "n:tab"),
        B("I don't like olives", Band.Explicit, "n:olive"),
        B("I'm a nurse", Band.Indirect, "i:occupation"),
        B("I'm learning Greek", Band.Explicit, "t:greek"),

        // ---- key normalisation, value keeps wording
        VB("I like THE Beatles!!!", "THE Beatles", Band.Explicit, "p:beatles"),
        V("I prefer   Dark    Roast coffee.", "Dark Roast coffee", "p:dark roast coffee", "p:coffee"),
        V("I like an early night.", "an early night", "p:early night"),
        V("I'd prefer concise replies please", "concise replies", "p:concise reply"),
        V("I love \"Dune\"", "Dune", "p:dune"),
        V("I prefer (short) summaries.", "(short) summaries", "p:short summary"),
        C("I prefer to work at night", "p:working"),
        V("I'm learning C#", "C#", "t:c#"),
        V("I'm learning .NET", ".NET", "t:.net"),
        C("I LOVE KAYAKING", "p:kayaking"),
        C("i dont like mornings", "n:morning"),
        C("i do not like mornings", "n:morning"),
        C("i am learning french", "t:french"),
        C("i would rather stay home", "p:stay home"),
        C("I like tea too", "p:tea"),
        C("I don't like beer at all", "n:beer"),

        // ---- unicode and odd whitespace
        C("I\u00A0prefer\u00A0tea", "p:tea"),
        C("I\u2019m learning Portuguese", "t:portuguese"),
        C("I\u2019d rather read", "p:reading"),
        C("I\tlike\t jazz", "p:jazz"),
        C("  I like crêpes  ", "p:crêpe"),
        C("I like \u201Cthe Wire\u201D", "p:wire"),
        C("I love 🍕 and 🍣", "p:🍕", "p:🍣"),
        C("I\u200B like tea", "p:tea"),
        V("I live in Zürich", "Zürich", "i:location"),
        C("\r\nI hate  spam\r\n", "n:spam"),

        // ---- not memories: questions
        C("Do I prefer tea?"),
        C("Why do I always forget my keys?"),
        C("Do you think I like jazz?"),
        C("I like jazz?"),
        C("Should I never use tabs?"),
        C("what do I like?"),

        // ---- not memories: other people
        C("My brother prefers tea", "i:brother"),
        C("You always say that"),
        C("They never listen"),
        C("She likes horses"),
        C("My sister's name is Lola", "i:sister"),
        C("He hates mornings."),
        C("My friend is learning Italian"),
        C("She said I love jazz"),
        C("They think I hate cats"),

        // ---- not memories: quoted speech and code
        C("He said \"I love jazz\""),
        C("She wrote 'I never eat fish' on the card"),
        C("The song is called \u201CI like it\u201D"),
        C("```\n// I always use tabs\n```"),
        C("Type `I prefer X` in the box"),
        C("He said \"I love jazz.\" I prefer blues.", "p:blues"),

        // ---- not memories: never mind, fragments, empty
        C("Never mind"),
        C("never mind, I figured it out"),
        C("I prefer"),
        C("I like."),
        C("I hate..."),
        C(""),
        C("   "),
        C("\n\t\n"),
        C("Never."),
        C("I'm working on it"),
        C("I love it"),
        C("I like you"),
        C("I like that"),
        C("I don't know"),

        // ---- not memories: conditionals, negated or past cues, requests
        C("I don't always use tabs"),
        C("I would never have guessed"),
        C("If I like it I'll tell you"),
        C("I'd like a summary of this article"),
        C("I would like to know more"),
        C("I'd love to see an example"),
        C("I never thought about it"),
        C("I never said that"),
        C("I used to love skating"),
        C("I hate to say it, but you're right"),
        C("I like how you explained that"),
        C("I love your answer"),
        C("I don't think I like it"),
        C("I always wanted to visit Peru"),
        C("Never heard of it"),
        C("Always a pleasure"),
        C("I'm not sure I prefer either"),
        C("Not that I like it"),
    ];

    public static IEnumerable<object[]> Cases() => Corpus.Select((c, i) => new object[] { i, c.Message });

    [Fact]
    public void Corpus_has_at_least_150_sentences() => Assert.True(Corpus.Length >= 150, $"only {Corpus.Length} cases");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Extracts_exactly_the_expected_memories(int index, string message)
    {
        var c = Corpus[index];
        var found = MemoryExtractor.Extract(message);

        var expected = c.Expected.Select(Expand).OrderBy(x => x).ToList();
        var actual = found.Select(m => $"{m.Type}:{m.Key}").OrderBy(x => x).ToList();
        Assert.True(expected.SequenceEqual(actual),
            $"'{message}'\n expected: [{string.Join(", ", expected)}]\n actual:   [{string.Join(" | ", found.Select(m => $"{m.Type}:{m.Key}={m.Value}@{m.Confidence}"))}]");

        if (found.Count == 0) return;
        var first = found.Single(m => $"{m.Type}:{m.Key}" == Expand(c.Expected[0]));
        if (c.Value != null) Assert.Equal(c.Value, first.Value);
        switch (c.Band)
        {
            case Band.Explicit: Assert.InRange(first.Confidence, 0.85, 1.0); break;
            case Band.Emphatic: Assert.InRange(first.Confidence, 0.95, 1.0); break;
            case Band.Hedged: Assert.InRange(first.Confidence, 0.0, 0.6999); break;
            case Band.Indirect: Assert.InRange(first.Confidence, 0.8, 0.9); break;
        }
        Assert.All(found, m => Assert.InRange(m.Confidence, 0.0, 1.0));
        Assert.All(found, m => Assert.Contains(m.Type, MemoryTypes.All));
    }

    /// <summary>"p:tea" as "preference:tea": the corpora's short form of an expected memory.</summary>
    internal static string Expand(string shortForm)
    {
        var type = shortForm[0] switch
        {
            'p' => MemoryTypes.Preference,
            'n' => MemoryTypes.NegativePreference,
            'i' => MemoryTypes.PersonalInfo,
            't' => MemoryTypes.Interest,
            _ => throw new ArgumentException(shortForm),
        };
        return $"{type}:{shortForm[2..]}";
    }

    // ---- properties that are not a single sentence

    [Fact]
    public void Null_like_inputs_give_an_empty_list()
    {
        Assert.Empty(MemoryExtractor.Extract(""));
        Assert.Empty(MemoryExtractor.Extract("    \t  "));
        Assert.Empty(MemoryExtractor.Extract(null!));
    }

    [Fact]
    public void Very_long_input_is_handled_quickly_with_bounded_keys()
    {
        var longObject = string.Join(' ', Enumerable.Repeat("wonderfully", 2_000)); // ~24,000 chars, no clause end
        var started = System.Diagnostics.Stopwatch.StartNew();
        var found = MemoryExtractor.Extract("I prefer " + longObject);
        started.Stop();

        var memory = Assert.Single(found);
        Assert.Equal(MemoryTypes.Preference, memory.Type);
        Assert.InRange(memory.Key.Length, 1, MemoryExtractor.MaxKeyLength);
        Assert.InRange(memory.Value.Length, 1, MemoryExtractor.MaxValueLength);
        Assert.EndsWith("wonderfully", memory.Key); // cut on a word boundary
        Assert.True(started.ElapsedMilliseconds < 2_000, $"took {started.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Sixteen_thousand_characters_of_mixed_text_do_not_throw_or_blow_up()
    {
        var parts = new[] { "I like tea and ", "hmm i i i i ", "\"I love ", "never ", "my name is ", "I don't ", "??? ", "... ", "I'm a ", "'" };
        var sb = new System.Text.StringBuilder();
        var k = 0;
        while (sb.Length < 16_000) sb.Append(parts[k++ % parts.Length]);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var found = MemoryExtractor.Extract(sb.ToString());
        started.Stop();
        Assert.All(found, m => Assert.InRange(m.Key.Length, 1, MemoryExtractor.MaxKeyLength));
        Assert.True(started.ElapsedMilliseconds < 2_000, $"took {started.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Results_are_deterministic()
    {
        const string message = "My name is Ana and I prefer tea. Never call me. I'm learning Thai.";
        Assert.Equal(MemoryExtractor.Extract(message), MemoryExtractor.Extract(message));
    }

    [Fact]
    public void Memory_types_list_has_the_four_types()
    {
        Assert.Equal(["preference", "negative_preference", "personal_info", "interest"], MemoryTypes.All);
    }
}
