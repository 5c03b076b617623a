namespace CrossLearn.Features.Memories.Keys;

/// <summary>
/// The word lists behind canonical keys, read once from the resource files in Extraction/Lexicons/&lt;language&gt;/
/// (one entry a line, '#' starts a comment; maps are written <c>from =&gt; to</c>). Phrases are kept split into words
/// and indexed by their first word, so a key is matched against the few phrases that can start at each word.
/// </summary>
public sealed class KeyLexicon
{
    /// <summary>The order in which categories are tried when a word is in several ("fish": food before animal).</summary>
    public static readonly IReadOnlyList<string> CategoryOrder =
    [
        "food", "drink", "music", "sport", "media", "communication", "format", "language", "tone", "technology", "colour",
        "season", "vehicle", "family", "animal", "activity", "travel", "shopping", "place",
    ];

    public static KeyLexicon English { get; } = new("en");

    private KeyLexicon(string language)
    {
        Synonyms = new PhraseIndex(ReadLines(language, "synonyms")
            .Select(line => line.Split("=>", 2, StringSplitOptions.TrimEntries))
            .Where(parts => parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0)
            .Select(parts => (parts[0], parts[1].Split(' '))));
        Gerunds = ReadLines(language, "gerunds")
            .Select(line => line.Split("=>", 2, StringSplitOptions.TrimEntries))
            .Where(parts => parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0)
            .ToDictionary(parts => parts[0], parts => parts[1], StringComparer.Ordinal);
        Determiners = PhraseIndex.Of(ReadLines(language, "determiners"));
        CarrierVerbs = PhraseIndex.Of(ReadLines(language, "carrier-verbs"));
        Cuts = PhraseIndex.Of(ReadLines(language, "key-cuts"));
        PlaceAdverbs = [.. ReadLines(language, "place-adverbs")];
        IeNouns = [.. ReadLines(language, "ie-nouns")];
        Qualifiers = PhraseIndex.Of(ReadLines(language, "qualifiers"));
        PrepositionCuts = PhraseIndex.Of(ReadLines(language, "preposition-cuts"));
        GenericHeads = [.. ReadLines(language, "generic-heads")];
        DanglingWords = [.. ReadLines(language, "dangling-words")];
        TasteWords = [.. ReadLines(language, "adjective-foods")];
        Invariant = [.. ReadLines(language, "invariant-words")];
        LightNouns = [.. ReadLines(language, "light-nouns")];
        MeasureUnits = [.. ReadLines(language, "measure-units")];
        Numbers = [.. ReadLines(language, "numbers")];
        KindNouns = PhraseIndex.Of(ReadLines(language, "kind-nouns"));
        CompoundHeads = [.. ReadLines(language, "compound-heads")];
        VarietyKinds = [.. ReadLines(language, "variety-kinds")];
        LessonNouns = [.. ReadLines(language, "lesson-nouns")];
        ClassRanks = [.. ReadLines(language, "class-ranks")];
        var categories = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var category in CategoryOrder)
        foreach (var word in ReadLines(language, $"categories.{category}"))
            categories.TryAdd(word, category);
        Categories = categories;
    }

    /// <summary>Phrase to canonical words.</summary>
    public PhraseIndex Synonyms { get; }
    /// <summary>Verbs whose -ing form the spelling rules get wrong ("begin" -> "beginning").</summary>
    public IReadOnlyDictionary<string, string> Gerunds { get; }
    public PhraseIndex Determiners { get; }
    public PhraseIndex CarrierVerbs { get; }
    /// <summary>Reasons and circumstances: a key always ends before them.</summary>
    public PhraseIndex Cuts { get; }

    /// <summary>Where a thing happens, said after it ("outside"): cut after a known thing ("my dog outside"), kept after a verb ("sit outside").</summary>
    public HashSet<string> PlaceAdverbs { get; }

    /// <summary>Nouns whose singular ends in -ie ("brownie"): the plural loses only its "s".</summary>
    public HashSet<string> IeNouns { get; }

    /// <summary>Words that start a clause saying which ones ("that ...", "tested on ..."): a key keeps them, and what follows.</summary>
    public PhraseIndex Qualifiers { get; }

    /// <summary>Circumstances ("in the rain"): a key ends before them, unless they follow a qualifier or a generic head.</summary>
    public PhraseIndex PrepositionCuts { get; }

    /// <summary>Heads too general to stand alone ("food", "device"), singular.</summary>
    public HashSet<string> GenericHeads { get; }

    /// <summary>Words a key never ends on ("that", "of", "do"): left hanging when the thing was cut short.</summary>
    public HashSet<string> DanglingWords { get; }
    public HashSet<string> TasteWords { get; }
    public HashSet<string> Invariant { get; }
    public HashSet<string> LightNouns { get; }

    /// <summary>Units of a measure after an activity ("2 miles"), singular.</summary>
    public HashSet<string> MeasureUnits { get; }

    /// <summary>Numbers written as words ("five").</summary>
    public HashSet<string> Numbers { get; }

    /// <summary>Kinds named before a member ("the movie Friday").</summary>
    public PhraseIndex KindNouns { get; }

    /// <summary>Nouns that make a compound with a kind before them ("book club").</summary>
    public HashSet<string> CompoundHeads { get; }

    /// <summary>Kinds of food and drink whose varieties are named by words in front ("vanilla ice cream"), singular.</summary>
    public HashSet<string> VarietyKinds { get; }

    /// <summary>How a subject is learnt ("yoga class"): not part of the thing.</summary>
    public HashSet<string> LessonNouns { get; }

    /// <summary>Words that make "class" a rank ("first class").</summary>
    public HashSet<string> ClassRanks { get; }
    public IReadOnlyDictionary<string, string> Categories { get; }

    private static List<string> ReadLines(string language, string name) =>
        [.. Extraction.Lexicon.Entries(language, name).Select(entry => entry.ToLowerInvariant()).Distinct()];
}

/// <summary>Phrases (with what each maps to) indexed by first word, longest first.</summary>
public sealed class PhraseIndex
{
    private readonly Dictionary<string, (string[] Words, string[] To)[]> _byFirstWord;

    public PhraseIndex(IEnumerable<(string Phrase, string[] To)> phrases) =>
        _byFirstWord = phrases
            .Select(p => (Words: p.Phrase.Split(' ', StringSplitOptions.RemoveEmptyEntries), p.To))
            .Where(p => p.Words.Length > 0)
            .DistinctBy(p => string.Join(' ', p.Words))
            .GroupBy(p => p.Words[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderByDescending(p => p.Words.Length).ToArray(), StringComparer.Ordinal);

    public static PhraseIndex Of(IEnumerable<string> phrases) => new(phrases.Select(p => (p, Array.Empty<string>())));

    /// <summary>The longest phrase that starts at <paramref name="at"/>: its length in words and what it maps to, or 0.</summary>
    public (int Length, string[] To) LongestAt(IReadOnlyList<string> words, int at)
    {
        if (at >= words.Count || !_byFirstWord.TryGetValue(words[at], out var candidates)) return (0, []);
        foreach (var (phrase, to) in candidates)
        {
            if (at + phrase.Length > words.Count) continue;
            var all = true;
            for (var j = 1; j < phrase.Length && all; j++) all = string.Equals(words[at + j], phrase[j], StringComparison.Ordinal);
            if (all) return (phrase.Length, to);
        }
        return (0, []);
    }

    public bool StartsAt(IReadOnlyList<string> words, int at) => LongestAt(words, at).Length > 0;
}
