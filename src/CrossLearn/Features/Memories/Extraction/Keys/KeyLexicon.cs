namespace CrossLearn.Features.Memories.Keys;

/// <summary>
/// The word lists behind canonical keys, read once from the resource files in Extraction/Lexicons/&lt;language&gt;/
/// (one entry a line, '#' starts a comment; maps are written <c>from =&gt; to</c>).
/// </summary>
public sealed class KeyLexicon
{
    /// <summary>The order in which categories are tried when a word is in several ("fish": food before animal).</summary>
    public static readonly IReadOnlyList<string> CategoryOrder =
    [
        "food", "drink", "music", "sport", "media", "communication", "format", "language", "tone", "technology", "colour",
        "season", "vehicle", "animal", "activity", "travel", "shopping", "place",
    ];

    public static KeyLexicon English { get; } = new("en");

    private KeyLexicon(string language)
    {
        Synonyms = ReadMap(language, "synonyms");
        Determiners = ReadList(language, "determiners");
        CarrierVerbs = ReadList(language, "carrier-verbs");
        Cuts = ReadList(language, "key-cuts");
        TasteWords = [.. ReadList(language, "adjective-foods")];
        Invariant = [.. ReadList(language, "invariant-words")];
        var categories = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var category in CategoryOrder)
        foreach (var word in ReadList(language, $"categories.{category}"))
            categories.TryAdd(word, category);
        Categories = categories;
    }

    /// <summary>Phrase to canonical phrase, longest phrases first.</summary>
    public IReadOnlyList<(string From, string To)> Synonyms { get; }
    public IReadOnlyList<string> Determiners { get; }
    public IReadOnlyList<string> CarrierVerbs { get; }
    public IReadOnlyList<string> Cuts { get; }
    public HashSet<string> TasteWords { get; }
    public HashSet<string> Invariant { get; }
    public IReadOnlyDictionary<string, string> Categories { get; }

    private static IEnumerable<string> ReadLines(string language, string name) =>
        Extraction.Lexicon.Entries(language, name).Select(entry => entry.ToLowerInvariant());

    private static List<string> ReadList(string language, string name) =>
        // Longest first, so that "a lot of" is tried before "a".
        ReadLines(language, name).Distinct().OrderByDescending(e => e.Length).ToList();

    private static List<(string, string)> ReadMap(string language, string name) =>
        ReadLines(language, name)
            .Select(line => line.Split("=>", 2, StringSplitOptions.TrimEntries))
            .Where(parts => parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0)
            .Select(parts => (parts[0], parts[1]))
            .DistinctBy(pair => pair.Item1)
            .OrderByDescending(pair => pair.Item1.Length)
            .ToList();
}
