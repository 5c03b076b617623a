using System.Text.RegularExpressions;
using static CrossLearn.Features.Memories.Extraction.ObjectSpans;
using static CrossLearn.Features.Memories.Extraction.RuleAnchor;
using static CrossLearn.Features.Memories.Extraction.Rules.English.CueParts;
using static CrossLearn.Features.Memories.Extraction.Rules.English.Remember;
using static CrossLearn.Features.Memories.MemoryExtractor;
using static CrossLearn.Features.Memories.MemoryTypes;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>Favourites: "my favourite colour is X", "Mine is X" (answering a favourite question), "X is my favourite", "X is not my thing".</summary>
internal static partial class FavouriteRules
{
    public static readonly CueRule[] All =
    [
        new("favorite", AtSubject, 400,
            // Up to five words before the first verb ("my favorite book to read on trips is"). Not a lazy {0,3}? loop: .NET 10's compiled regex let one of those run
            // past its bound (it matched "my favorite book to read on vacation is"); a greedy loop that stops at the verb does not.
            MY + @"\s+(?:all[\s-]time\s+|absolute\s+)?fav(?:ou?rite|e)?\b(?:\s+(?!(?:is|are|has|would)\b)[a-z]+){0,5}\s+(?:is|are|has\s+to\s+be|would\s+be)\b",
            // "my favorite activities are pretty boring": a judgement of them, not a favourite.
            c => JudgedNotNamed().IsMatch(c.Value) ? null
                : TitleKind(c.Cue.Value) is { } kind ? Title(Preference, c.Value, ExplicitConfidence, kind) : Thing(Preference, c.Value, ExplicitConfidence))
            { NamesOneThingWhen = c => TitleKind(c.Cue.Value) is not null },
        // "my favorite show Seinfeld", "one of my favourite books, Dune": the kind, then its name, with no verb between.
        new("favorite-named", AtSubject, 399,
            // A named kind ("show") may run straight into its name; a plain one ("food") only with a comma ("my favorite food
            // group is meat" names no food group).
            MY + @"\s+(?:all[\s-]time\s+|absolute\s+)?fav(?:ou?rite|e)?\s+(?:" + AnyOf("kind-nouns") + @",?|" + AnyOf("favourite-kinds") + ",)"
            + @"(?<thing>\s+(?!(?:is|are|was|were|to|of|for|in|on|at|with|by|from|about|ever|right|now|these|this|that|and|but|so|i|you|we|has|would)\b)[\w'&-]+"
            + @"(?:\s+(?!(?:is|are|was|were|but|because|so|which|that|when|i|to|has|would)\b)[\w'&-]+){0,5})"
            + @"(?=\s*(?:[,.!?;]|$)|\s+(?:is|are|was|and|but|because|so|which|when)\b)",
            c => TitleKind(c.Cue.Value) is { } kind ? Title(Preference, c.Value, ExplicitConfidence, kind) : Thing(Preference, c.Value, ExplicitConfidence))
            { ValueGroup = "thing", NamesOneThing = true },
        // "Mine is X" only counts when a favourite is talked about elsewhere in the message (before or after it).
        new("mine", SentenceStart, 110,
            SentenceLead + @"(?:(?:and|oh|well|ok|okay|haha|lol|hmm)[\s,]+){0,2}mine(?:\s+is|\s+are|'s|\s+would\s+be|\s+has\s+to\s+be)\b",
            c => !c.SaidAnywhere("fav") ? null
                : KindAsked(c.Message) is { } kind ? Title(Preference, c.Value, IndirectConfidence, kind) : Thing(Preference, c.Value, IndirectConfidence))
            { NamesOneThingWhen = c => KindAsked(c.Message) is not null },
        // "whats your favorite drink mine is fancy tea": the answer after a question with no question mark.
        new("your-favourite-mine", Mention, 145,
            @"\byour\s+(?:all[\s-]time\s+)?fav(?:ou?rite|e)?(?:\s+[a-z]+){0,3}\s+mine(?:\s+is|\s+are|'s|\s+would\s+be)?\s+(?<thing>[a-z][a-z'-]*(?:\s+[a-z][a-z'-]*){0,3})(?=\s*(?:[,.!;]|$))",
            c => Thing(Preference, c.Value, IndirectConfidence)) { ValueGroup = "thing", OnlyWith = ["mine"] },
        // "my real love is rugby", "my first love is jazz".
        new("my-love-is", AtSubject, 398, MY + @"\s+(?:real|true|first|one|great|greatest|biggest|only)\s+(?:love|passion|obsession)\s+(?:is|are|has\s+always\s+been)\b",
            c => Thing(Preference, c.Value, ExplicitConfidence)),
        // "I got a glass of red wine. It's my fav.": the pronoun stands for the thing said before (see RefersBackAs).
        new("it-is-my-favorite", SentenceStart, 115,
            SentenceLead + @"(?:(?:and|but|oh|yes|yeah|yep|well|so|ok|okay|lol|haha)[\s,]+){0,2}(?<it>it|that|this)(?:'s|s|\s+is|\s+was)\s+(?:also\s+|definitely\s+|still\s+|really\s+|totally\s+)?"
            + @"(?:my|our)\s+(?:all[\s-]time\s+|absolute\s+|very\s+|personal\s+)?(?:fav(?:ou?rite|e)?|preferred)\b(?:\s+[a-z-]+){0,4}(?=[\s.!?,;]*$)",
            c => EnglishRules.RefersBack(c.Value) || People.Contains(c.Value.ToLowerInvariant()) ? null : Judged(Thing(Preference, c.Value, ExplicitConfidence)))
            { ValueGroup = "it", RefersBackAs = Preference },
        // "I'm watching my favorite movie. It's called Goodfellas.": the name given right after a favourite is said.
        new("its-called", SentenceStart, 116,
            SentenceLead + @"(?:(?:and|so|well)[\s,]+)?(?:it's|its|it\s+is|that's|thats|she's|he's|they're)\s+(?:called|named|titled)\b",
            c => FavouriteJustBefore(c) ? Thing(Preference, c.Value, IndirectConfidence) : null),
        // "rancid my fav", "pizza, my fave!": the thing and the favourite, no verb between.
        new("thing-my-fav", SentenceStart, 117,
            SentenceLead + @"(?<thing>[a-z][\w'-]*(?:\s+[a-z][\w'-]*){0,2}),?\s+my\s+(?:all[\s-]time\s+|absolute\s+)?fav(?:ou?rite|e)?(?:\s+[a-z]+)?\W*$",
            // "Star Wars is my favorite film" is the thing-first cue's.
            c => SubjectWord().IsMatch(c.Value) || EnglishRules.RefersBack(c.Value) || People.Contains(c.Value.ToLowerInvariant()) || EndsWithVerb().IsMatch(c.Value) ? null
                : TitleKind(c.Cue.Value) is { } kind ? Title(Preference, c.Value, IndirectConfidence, kind) : Thing(Preference, c.Value, IndirectConfidence))
            { ValueGroup = "thing" },
        new("thing-first", ThingFirst, 100,
            @"\s+(?:is|are|was|'s)\s+(?:definitely\s+|probably\s+|also\s+|really\s+|totally\s+|still\s+|just\s+)?"
            + @"(?:(?<pos>(?:my|our)\s+(?:all[\s-]time\s+|absolute\s+|very\s+|personal\s+|most\s+|new\s+)?(?:fav(?:ou?rite|e)?|preferred)\b)"
            + @"|(?<int>my\s+(?:passion|hobby|hobbies|obsession)\b)"
            + @"|(?<neg>(?:my\s+)?least\s+fav(?:ou?rite|e)?\b|not\s+(?:really\s+)?(?:my\s+thing|for\s+me|my\s+cup\s+of\s+tea|my\s+forte|my\s+fav(?:ou?rite|e)?)\b)"
            + ")",
            ThingBeforeCue) { MaxThingLength = 80 },
        // "skiing is something I hate", "jazz is something I really enjoy": the thing, then the speaker's verb.
        new("something-i-like", ThingFirst, 101,
            @"\s+(?:is|are)\s+(?:also\s+|really\s+|just\s+)?something\s+(?:that\s+)?i\s+(?:really\s+|truly\s+|just\s+|absolutely\s+|totally\s+|genuinely\s+)?"
            + @"(?:(?<pos>love|like|enjoy|adore)|(?<neg>hate|dislike|despise|detest|loathe|can't\s+stand|cannot\s+stand))\b",
            ThingBeforeCue) { MaxThingLength = 80, OnlyWith = ["something"] },
        // "I just finished Dune, my favourite book!", "I wish I had some iced tea, my favorite drink": an aside the user
        // asserts whatever the clause around it says; the thing is the noun phrase before the comma.
        new("favorite-aside", ThingFirst, 105,
            @"(?<aside>(?:,\s*(?:which\s+is\s+|that\s+is\s+|that's\s+|its\s+|it's\s+)?|\s+(?:which\s+is|that\s+is|that's)\s+)my\s+(?:all[\s-]time\s+|absolute\s+|very\s+)?fav(?:ou?rite|e)?(?:\s+[a-z-]+){0,2}(?=\s*(?:[,.!?;]|$)|\s+(?:and|but)\b))",
            FavouriteAside) { MaxThingLength = 100, AsideGroup = "aside", OnlyWith = ["fav"] },
        // "It was pink, the worst color ever!", "he's so orange, my least favorite color": a dislike, asserted as an aside.
        new("least-favorite-aside", ThingFirst, 106,
            @"(?<aside>,\s*(?:which\s+is\s+|that\s+is\s+|that's\s+|its\s+|it's\s+)?(?:my\s+least\s+fav(?:ou?rite|e)?|the\s+worst)(?:\s+[a-z-]+){0,2}(?:\s+ever)?(?=\s*(?:[,.!?;]|$)))",
            c => FavouriteAside(c) is { } disliked ? disliked with { Type = NegativePreference } : null) { MaxThingLength = 100, AsideGroup = "aside", OnlyWith = ["least fav", "the worst"] },
    ];

    [GeneratedRegex(@"^(?:(?:yes|yeah|yep|yup|well|oh|i\s+think|i\s+guess|i\s+believe|i\s+suppose|honestly|definitely|and|but|so|also|ok|okay|lol|haha|hmm|wow|i\s+know|i\s+mean|because|cause|though|although|since|now|then|plus|actually|really|for\s+me|personally|probably|maybe|perhaps|i\s+would\s+say|i'd\s+say)\b[\s,]*)+",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex LeadingDiscourse();

    [GeneratedRegex(@"^\W*(?:pretty|very|so|really|quite|kinda|kind\s+of|too|rather|a\s+bit|not)\s+(?:[a-z]+(?:ing|ed|ful|ous|ive|al|ic|able|less|[^aeiou]y)|fun|good|bad|great|cool|simple|basic|normal|random|lame|nice|plain|dull|dumb|odd)\W*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex JudgedNotNamed();

    /// <summary>
    /// The kind of a favourite that is a title or a name, said in the singular ("my favorite movie is": one title; "my
    /// favorite movies are": a list, read as usual); null for other kinds ("my favorite food is").
    /// </summary>
    private static string? TitleKind(string cue) => SingularTitleKind.Match(cue) is { Success: true } m ? m.Groups["kind"].Value : null;

    /// <summary>A favourite of a title kind asked or said anywhere in the message ("any favorite shows? mine is ...").</summary>
    private static string? KindAsked(string message) => TitleKindSaid.Match(message) is { Success: true } m ? m.Groups["kind"].Value : null;

    // The kinds whose members are titles or names (kind-nouns.txt): "the movie Alien", "my favorite band Rancid".
    private static readonly string TitleKinds = AnyOf("kind-nouns", plurals: false);
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Compiled;
    private static readonly Regex SingularTitleKind = new(@"\bfav(?:ou?rite|e)?\s+(?<kind>" + TitleKinds + @")\b(?!')", Options);
    private static readonly Regex TitleKindSaid = new(@"\bfav(?:ou?rite|e)?\s+(?<kind>" + TitleKinds + @")s?\b", Options);
    private static readonly Regex KindRightAfter = new(@"\G\s+(?<kind>" + TitleKinds + @")\b", Options);

    /// <summary>The sentence before this one says a favourite ("my favorite movie"): a name given now is its name.</summary>
    private static bool FavouriteJustBefore(CueContext c)
    {
        var before = c.Message.AsSpan(0, c.SentenceStart).TrimEnd();
        var start = before.Length > 0 ? before[..^1].LastIndexOfAny('.', '!', '?') + 1 : 0;
        return FavouriteSaid().IsMatch(before[start..]);
    }

    [GeneratedRegex(@"\bmy\s+(?:all[\s-]time\s+|absolute\s+)?fav(?:ou?rite|e)?\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FavouriteSaid();

    [GeneratedRegex(@"(?:\s(?:is|are|was|were)|'s|\s(?:that|which)\s+is)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EndsWithVerb();

    /// <summary>A pronoun or question word makes the "thing" a clause or a person ("what we eat", "you"), not a thing.</summary>
    [GeneratedRegex(@"\b(?:i|i'm|im|you|he|she|we|they|there|here|what|which|who)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SubjectWord();

    /// <summary>"Dune, my favourite book": the thing before the comma. Not a person ("Tom, my favourite coworker").</summary>
    private static ExtractedMemory? FavouriteAside(CueContext c)
    {
        var words = c.Cue.Value.TrimEnd().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // ", the worst person ever": the kind is before "ever".
        var kind = (words.Length > 1 && words[^1].Equals("ever", StringComparison.OrdinalIgnoreCase) ? words[^2] : words[^1]).ToLowerInvariant();
        if (People.Contains(kind) || People.Contains(kind.TrimEnd('s')) || Keys.KeyLexicon.English.Categories.GetValueOrDefault(kind) == "family")
            return null;
        if (NounPhrases.Last(c.Value, 4) is not { Length: > 0 } thing) return null;
        return TitleKind(c.Cue.Value) is { } title ? Title(Preference, thing, ExplicitConfidence, title) : Thing(Preference, thing, ExplicitConfidence);
    }

    /// <summary>Not a person close to the user ("I saw my dad. He's my favourite" is no taste).</summary>
    private static ExtractedMemory? Judged(ExtractedMemory? memory) =>
        memory is null || memory.Category == "family" || People.Contains(memory.Key.Split(' ')[^1]) ? null : memory;

    /// <summary>"Sushi is my favourite": a preference; "... is my passion": an interest; "... is not my thing": a dislike.</summary>
    private static ExtractedMemory? ThingBeforeCue(CueContext c)
    {
        var thing = LeadingDiscourse().Replace(TrimPunctuation(c.Value), "");
        if (thing.Length == 0 || SubjectWord().IsMatch(thing) || thing.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length > 6) return null;
        var type = c.Cue.Groups["neg"].Success ? NegativePreference
            : c.Cue.Groups["int"].Success ? Interest : Preference;
        // "Star Wars is my favorite film": a title.
        return c.Cue.Groups["pos"].Success && KindRightAfter.Match(c.Sentence, c.Cue.Index + c.Cue.Length) is { Success: true } after
            ? Title(type, thing, ExplicitConfidence, after.Groups["kind"].Value)
            : Thing(type, thing, ExplicitConfidence);
    }
}
