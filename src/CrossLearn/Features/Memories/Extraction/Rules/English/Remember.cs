using static CrossLearn.Features.Memories.Extraction.ObjectSpans;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>Builds the memory a rule found, or nothing when the thing carries no information.</summary>
internal static class Remember
{
    /// <summary>Objects that carry no information on their own ("I love it", "I like you").</summary>
    public static readonly HashSet<string> EmptyObjects = Lexicon.Load("en", "empty-objects");

    /// <summary>People ("friend", "boss"), singular: a judgement of them is no taste of the user's.</summary>
    public static readonly HashSet<string> People = Lexicon.Load("en", "people");

    /// <summary>First words that mean the cue was not a memory ("I like how you...", "I hate to say", "I never thought").</summary>
    public static readonly HashSet<string> BadFirstWords = Lexicon.Load("en", "bad-first-words");

    /// <summary>A preference, dislike or interest: keyed by the normalised thing.</summary>
    /// <param name="startsWithVerb">The thing is a bare verb phrase ("[rather] walk"); one after "to" is seen without it.</param>
    public static ExtractedMemory? Thing(string type, string value, double confidence, bool dropHowTo = false, bool startsWithVerb = false)
    {
        value = TrimPunctuation(value);
        startsWithVerb |= IsInfinitive(value, dropHowTo);
        var key = MemoryExtractor.NormaliseKey(value, dropHowTo);
        // "I love me some tacos": chat's "me some" is no object.
        if (key.StartsWith("me some ", StringComparison.Ordinal)) key = key["me some ".Length..];
        if (key.Length == 0 || EmptyObjects.Contains(key)) return null;
        var first = FirstWord(key);
        if (BadFirstWords.Contains(first)) return null;
        if (key.StartsWith("the way ", StringComparison.Ordinal) || key.StartsWith("the fact ", StringComparison.Ordinal)) return null;
        // The thing itself, as other users' words about it give it too ("my cat", "two cats", "kittens": cat).
        var canonical = Keys.KeyCanonicalizer.Canonicalize(key, writtenAs: value, startsWithVerb: startsWithVerb);
        // "the one that is my favorite": what is left after the words that only point is a clause, not a thing.
        if (canonical.Key.Length == 0 || EmptyObjects.Contains(canonical.Key) || FirstWord(canonical.Key) is "is" or "are" or "was" or "were" or "am") return null;
        return new ExtractedMemory(type, canonical.Key, Cap(value, MemoryExtractor.MaxValueLength), confidence, canonical.Category);
    }

    /// <summary>
    /// A title or a name given as the member of its kind ("my favorite movie is Goodfellas", "Star Wars is my favorite
    /// film", "mine is Pride and Prejudice" after "favorite book?"): keyed as written, lower case, without a leading
    /// article, not split at "and", no word dropped (chat is often lower case, so no capital tells a name here).
    /// </summary>
    public static ExtractedMemory? Title(string type, string value, double confidence, string kind)
    {
        value = TrimPunctuation(value);
        var words = value.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (words.Count > 0 && words[0] is "the" or "a" or "an" && words.Count > 1) words.RemoveAt(0);
        // Too long for a title, or not one ("my favorite movie is one with dogs"): the usual key.
        if (words.Count is 0 or > 6 || words.Any(w => w is "i" or "you" or "it" or "one" or "ones" or "anything" or "something" or "whatever")
            || EmptyObjects.Contains(string.Join(' ', words)) || BadFirstWords.Contains(words[0]))
            return Thing(type, value, confidence);
        var key = Keys.KeyCanonicalizer.TitleKey(value);
        if (key.Length == 0) return null;
        // What the usual key cuts off the end is a circumstance, as for any thing ("face off on syfy": face off).
        if (Thing(type, value, confidence) is { } usual && key.StartsWith(usual.Key + " ", StringComparison.Ordinal)) key = usual.Key;
        var category = Keys.KeyCanonicalizer.Canonicalize(kind).Category;
        return new ExtractedMemory(type, key, Cap(value, MemoryExtractor.MaxValueLength), confidence, category);
    }

    /// <summary>"to swim", "how to knit": a verb follows (not "to the beach", "to my mom").</summary>
    private static bool IsInfinitive(string value, bool dropHowTo)
    {
        var rest = dropHowTo && StartsWithWord(value, "how") ? value[3..].TrimStart() : value;
        if (!StartsWithWord(rest, "to")) return false;
        var next = FirstWord(rest[2..].TrimStart()).ToLowerInvariant();
        return next.Length > 0 && !Keys.KeyLexicon.English.Determiners.StartsAt([next], 0) && !char.IsDigit(next[0]);
    }

    /// <summary>A personal fact in the slot <paramref name="key"/> (see <see cref="PersonalInfoKeys"/>).</summary>
    public static ExtractedMemory? Personal(string key, string value, double confidence)
    {
        value = TrimPunctuation(value);
        if (value.Length == 0) return null;
        var first = FirstWord(value);
        if (first is "not" or "no" || EmptyObjects.Contains(value.ToLowerInvariant())) return null;
        return new ExtractedMemory(MemoryTypes.PersonalInfo, key, Cap(value, MemoryExtractor.MaxValueLength), confidence, SlotCategory(key));
    }

    /// <summary>What kind of fact a personal-info slot holds.</summary>
    public static string SlotCategory(string slot) => slot switch
    {
        PersonalInfoKeys.Name => "name",
        PersonalInfoKeys.Location or PersonalInfoKeys.Origin => "location",
        PersonalInfoKeys.Occupation or PersonalInfoKeys.Workplace => "work",
        PersonalInfoKeys.Age => "age",
        _ => Keys.KeyCanonicalizer.GeneralCategory
    };

    /// <summary>
    /// A fact about the user that can hold several things (their pets, family, health): keyed by the thing itself
    /// ("two cats" -> cat), in <paramref name="category"/>; personal info never leaves its owner.
    /// </summary>
    public static ExtractedMemory? Fact(string category, string thing, string value, double confidence)
    {
        var key = Keys.KeyCanonicalizer.Canonicalize(TrimPunctuation(thing)).Key;
        value = TrimPunctuation(value);
        if (key.Length == 0 || value.Length == 0 || EmptyObjects.Contains(key)) return null;
        return new ExtractedMemory(MemoryTypes.PersonalInfo, key, Cap(value, MemoryExtractor.MaxValueLength), confidence, category);
    }

    /// <summary>A single-valued fact in a named slot ("marital status": married), in <paramref name="category"/>.</summary>
    public static ExtractedMemory? Slot(string slot, string category, string value, double confidence)
    {
        value = TrimPunctuation(value);
        if (value.Length == 0) return null;
        return new ExtractedMemory(MemoryTypes.PersonalInfo, slot, Cap(value, MemoryExtractor.MaxValueLength), confidence, category);
    }

    /// <summary>A preference under a key of the rules' own making ("vegan" -> "vegan diet"), in <paramref name="category"/>.</summary>
    public static ExtractedMemory? Keyed(string type, string key, string category, string value, double confidence, bool alreadyCanonical = false)
    {
        value = TrimPunctuation(value);
        if (!alreadyCanonical) key = Keys.KeyCanonicalizer.Canonicalize(key).Key;
        if (key.Length == 0 || value.Length == 0) return null;
        return new ExtractedMemory(type, key, Cap(value, MemoryExtractor.MaxValueLength), confidence, category);
    }
}
