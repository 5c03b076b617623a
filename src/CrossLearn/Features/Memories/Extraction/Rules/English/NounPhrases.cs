using Keys = CrossLearn.Features.Memories.Keys;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>
/// The noun phrase at the end of a stretch of text, read backwards without a part-of-speech tagger: the words after the
/// last verb, preposition, pronoun or joiner, with a determiner kept as its first word ("my roommate drinks beer": beer;
/// "all they eat is asparagus": asparagus; "she made the pasta": the pasta).
/// </summary>
internal static class NounPhrases
{
    private static readonly HashSet<string> Stops = Lexicon.Load("en", "noun-phrase-stops");
    private static readonly HashSet<string> Subjects = ["i", "you", "he", "she", "we", "they", "it", "who"];
    /// <summary>One-word judgements ("bad", "awesome"): after a copula they say something of the phrase before it.</summary>
    private static readonly HashSet<string> Judgements =
        [.. Lexicon.Entries("en", "judged-well").Concat(Lexicon.Entries("en", "judged-badly")).Where(w => !w.Contains(' ')), "good", "bad", "fine", "nice"];

    private static readonly HashSet<string> Copulas =
    [
        "is", "are", "was", "were", "'s", "am", "'m", "be", "been",
        // A pronoun and its copula in one word ("it's yellow"): what follows is said of the pronoun.
        "it's", "they're", "theyre", "that's", "thats", "he's", "she's", "we're", "you're", "there's", "mine's",
    ];

    /// <summary>Joiners left at the end of the text before a cue ("..., and", "... but").</summary>
    private static readonly HashSet<string> TrailingJoiners =
    [
        "and", "but", "so", "since", "because", "cause", "though", "although", "yet", "which", "that", "then", "plus",
        "now", "today", "tonight", "lately", "honestly", "actually", "seriously", "really", "also", "just", "still", "even",
        "anyway", "personally", "frankly",
    ];

    /// <summary>"keep in shape", "live at home": after these the phrase is more often a place or a state than a thing.</summary>
    private static readonly HashSet<string> PlacePrepositions = ["in", "at", "on", "into", "from", "by", "near", "around", "inside", "outside"];

    /// <summary>The phrase at the end of <paramref name="text"/>, at most <paramref name="maxWords"/> words; empty when there is none.</summary>
    public static string Last(string text, int maxWords = 3)
    {
        var words = Words(text);
        while (words.Count > 0 && TrailingJoiners.Contains(words[^1])) words.RemoveAt(words.Count - 1);
        // "chess every week", "the hobbit last month": a circumstance at the end is not part of the thing.
        for (var i = Math.Max(1, words.Count - 4); i < words.Count; i++)
            if (Keys.KeyLexicon.English.Cuts.StartsAt(words, i)) { words.RemoveRange(i, words.Count - i); break; }
        var start = words.Count;
        string? stop = null;
        while (start > 0 && words.Count - start < maxWords)
        {
            var word = words[start - 1];
            // "some iced tea", "a fried egg": a past form right after a determiner describes the thing.
            var describes = start >= 2 && LikeRules.IsPastForm(word) && !Stops.Contains(word) && Keys.KeyLexicon.English.Determiners.StartsAt(words, start - 2);
            if (!describes && IsStop(word)) { stop = word; break; }
            start--;
            if (Keys.KeyLexicon.English.Determiners.StartsAt(words, start)) break;
        }
        if (start == words.Count) return "";
        var phrase = words.GetRange(start, words.Count - start);
        // "neighbour grows tomatoes": no stop within reach, so a word in "-s" before the last is likely the verb.
        if (stop is null && start > 0)
            for (var i = phrase.Count - 2; i >= 0; i--)
                if (phrase[i].Length > 3 && phrase[i].EndsWith('s') && !phrase[i].EndsWith("ss", StringComparison.Ordinal)) { phrase.RemoveRange(0, i + 1); break; }
        // "keep in shape", "on my back": right after a place preposition (a determiner between or not).
        if (start > 0 && PlacePrepositions.Contains(words[start - 1])) return "";
        // "a glass of merlot", "care of cats": the thing follows "of"; not inside a name or after an adjective ("game of
        // thrones", "afraid of spiders"), where the phrase read so far is not what the text is about.
        if (start >= 2 && words[start - 1] == "of" && OfHeads.Contains(words[start - 2])) return "";
        // "I wait": right after a subject comes its verb, not a thing.
        if (stop is not null && Subjects.Contains(stop)) phrase.RemoveAt(0);
        // "the insects are bad": after a copula a word is as likely an adjective as a thing; only a known thing counts, and
        // a judgement ("bad", "awesome") leaves the thing judged, the phrase before the copula.
        if (stop is not null && Copulas.Contains(stop) && Keys.KeyCanonicalizer.Canonicalize(string.Join(' ', phrase)).Category == Keys.KeyCanonicalizer.GeneralCategory)
            return phrase.Count == 1 && Judgements.Contains(phrase[0]) && start >= 2 && !Subjects.Contains(words[start - 2])
                ? Last(string.Join(' ', words.Take(start - 1)), maxWords)
                : "";
        return string.Join(' ', phrase);
    }

    /// <summary>Words before "of" after which the phrase is not the thing ("afraid of", "game of").</summary>
    private static readonly HashSet<string> OfHeads = Lexicon.Load("en", "of-heads");

    private static bool IsStop(string word) =>
        Stops.Contains(word) || Copulas.Contains(word) || LikeRules.IsPastForm(word)
        || IsCarrierVerb(word) || (word.Length > 3 && word.EndsWith('s') && IsCarrierVerb(word[..^1]))
        || (word.Length > 4 && word.EndsWith("es", StringComparison.Ordinal) && IsCarrierVerb(word[..^2]));

    private static bool IsCarrierVerb(string word) => Keys.KeyLexicon.English.CarrierVerbs.StartsAt([word], 0);

    private static List<string> Words(string text)
    {
        var words = new List<string>();
        foreach (var raw in text.Split([' ', ',', ';', ':', '(', ')', '"'], StringSplitOptions.RemoveEmptyEntries))
        {
            var w = raw.Trim('.', '!', '?', '\'', '-').ToLowerInvariant();
            if (w.Length > 0) words.Add(w);
        }
        return words;
    }
}
