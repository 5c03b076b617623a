using Humanizer;

namespace CrossLearn.Features.Memories.Keys;

/// <summary>A memory's identity: the thing itself, and what kind of thing it is.</summary>
public sealed record CanonicalKey(string Key, string Category);

/// <summary>
/// Turns the words a user wrote about a thing into the key that other users' words about the same thing meet on:
/// "my cat", "cats", "two cats", "kittens" -> <c>cat</c>; "eating anything spicy" -> <c>spicy food</c>;
/// "notifications by e-mail" is left to the assistant rules, "e-mail" -> <c>email</c>. Lower case, no articles,
/// possessives, quantities or carrier verbs, no trailing reason ("... due to motion sickness"), singular (Humanizer's
/// inflector, with the words it gets wrong kept as they are), synonyms mapped through the lexicon. The category comes
/// from the lexicon's category lists. Pure and deterministic: a rebuild or a re-extraction gives the same keys.
/// </summary>
public static class KeyCanonicalizer
{
    public const string GeneralCategory = "general";
    private const int MaxWords = 8;

    public static CanonicalKey Canonicalize(string phrase, KeyLexicon? lexicon = null)
    {
        lexicon ??= KeyLexicon.English;
        var words = Words(phrase);
        if (words.Count == 0) return new CanonicalKey("", GeneralCategory);

        CutAtReason(words, lexicon);
        DropLeading(words, lexicon);
        Replace(words, lexicon.Synonyms);
        for (var i = 0; i < words.Count; i++) words[i] = Singular(words[i], lexicon);
        Replace(words, lexicon.Synonyms);
        if (words.Count == 1 && lexicon.TasteWords.Contains(words[0])) words.Add("food");
        if (words.Count > MaxWords) words.RemoveRange(MaxWords, words.Count - MaxWords);

        var key = string.Join(' ', words);
        return new CanonicalKey(key, CategoryOf(words, lexicon));
    }

    /// <summary>The category of an already canonical key (whole key, then its last two words, its last, its first).</summary>
    public static string CategoryOf(IReadOnlyList<string> words, KeyLexicon lexicon)
    {
        if (words.Count == 0) return GeneralCategory;
        var whole = string.Join(' ', words);
        if (lexicon.Categories.TryGetValue(whole, out var category)) return category;
        if (words.Count > 2 && lexicon.Categories.TryGetValue($"{words[^2]} {words[^1]}", out category)) return category;
        if (lexicon.Categories.TryGetValue(words[^1], out category)) return category;
        return lexicon.Categories.TryGetValue(words[0], out category) ? category : GeneralCategory;
    }

    private static List<string> Words(string phrase)
    {
        var words = new List<string>();
        foreach (var raw in phrase.ToLowerInvariant().Split([' ', '\t', '\n', ',', ';', ':', '!', '?', '"', '(', ')', '[', ']', '/'],
                     StringSplitOptions.RemoveEmptyEntries))
        {
            var word = raw.Trim('.', '\'', '-', '*', '_', '~');
            if (word.Length > 0) words.Add(word);
        }
        return words;
    }

    /// <summary>Everything from the first reason or circumstance on goes (never the first word itself).</summary>
    private static void CutAtReason(List<string> words, KeyLexicon lexicon)
    {
        for (var i = 1; i < words.Count; i++)
        foreach (var cut in lexicon.Cuts)
        {
            if (!StartsWith(words, i, cut)) continue;
            words.RemoveRange(i, words.Count - i);
            return;
        }
    }

    /// <summary>Articles, possessives, quantities and carrier verbs in front of the thing ("eating anything spicy").</summary>
    private static void DropLeading(List<string> words, KeyLexicon lexicon)
    {
        for (var changed = true; changed && words.Count > 1;)
        {
            changed = false;
            foreach (var list in new[] { lexicon.Determiners, lexicon.CarrierVerbs })
            foreach (var lead in list)
            {
                var length = lead.Count(c => c == ' ') + 1;
                if (words.Count <= length || !StartsWith(words, 0, lead)) continue;
                words.RemoveRange(0, length);
                changed = true;
                break;
            }
            // A number of things: "2 siblings", "3 cats".
            if (words.Count > 1 && words[0].All(char.IsDigit))
            {
                words.RemoveAt(0);
                changed = true;
            }
        }
    }

    private static void Replace(List<string> words, IReadOnlyList<(string From, string To)> map)
    {
        for (var i = 0; i < words.Count; i++)
        foreach (var (from, to) in map)
        {
            if (!StartsWith(words, i, from)) continue;
            var length = from.Count(c => c == ' ') + 1;
            words.RemoveRange(i, length);
            words.InsertRange(i, to.Split(' '));
            i += to.Count(c => c == ' ');
            break;
        }
    }

    private static readonly HashSet<string> IrregularPlurals = ["children", "men", "women", "people", "mice", "geese", "teeth", "feet"];

    /// <summary>Humanizer's singular, only for words that look plural and that it is known to get right.</summary>
    private static string Singular(string word, KeyLexicon lexicon)
    {
        if (IrregularPlurals.Contains(word)) return word == "people" ? word : word.Singularize(inputIsKnownToBePlural: true);
        if (word.Length < 4 || !word.EndsWith('s') || lexicon.Invariant.Contains(word)) return word;
        // -ss (glass), -us (famous, cactus), -is (analysis), -ics (physics): not plurals of a simpler word.
        if (word.EndsWith("ss") || word.EndsWith("us") || word.EndsWith("is") || word.EndsWith("ics") || word.EndsWith("'s")) return word;
        var singular = word.Singularize(inputIsKnownToBePlural: false);
        return singular.Length >= 2 ? singular : word;
    }

    private static bool StartsWith(List<string> words, int at, string phrase)
    {
        var parts = phrase.Split(' ');
        if (at + parts.Length > words.Count) return false;
        for (var j = 0; j < parts.Length; j++)
            if (!string.Equals(words[at + j], parts[j], StringComparison.Ordinal)) return false;
        return true;
    }
}
