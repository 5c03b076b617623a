using static CrossLearn.Features.Memories.Extraction.ObjectSpans;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>Builds the memory a rule found, or nothing when the thing carries no information.</summary>
internal static class Remember
{
    /// <summary>Objects that carry no information on their own ("I love it", "I like you").</summary>
    public static readonly HashSet<string> EmptyObjects = Lexicon.Load("en", "empty-objects");

    /// <summary>First words that mean the cue was not a memory ("I like how you...", "I hate to say", "I never thought").</summary>
    public static readonly HashSet<string> BadFirstWords = Lexicon.Load("en", "bad-first-words");

    /// <summary>A preference, dislike or interest: keyed by the normalised thing.</summary>
    public static ExtractedMemory? Thing(string type, string value, double confidence, bool dropHowTo = false)
    {
        value = TrimPunctuation(value);
        var key = MemoryExtractor.NormaliseKey(value, dropHowTo);
        if (key.Length == 0 || EmptyObjects.Contains(key)) return null;
        var first = FirstWord(key);
        if (BadFirstWords.Contains(first)) return null;
        if (key.StartsWith("the way ", StringComparison.Ordinal) || key.StartsWith("the fact ", StringComparison.Ordinal)) return null;
        return new ExtractedMemory(type, key, Cap(value, MemoryExtractor.MaxValueLength), confidence);
    }

    /// <summary>A personal fact in the slot <paramref name="key"/> (see <see cref="PersonalInfoKeys"/>).</summary>
    public static ExtractedMemory? Personal(string key, string value, double confidence)
    {
        value = TrimPunctuation(value);
        if (value.Length == 0) return null;
        var first = FirstWord(value);
        if (first is "not" or "no" || EmptyObjects.Contains(value.ToLowerInvariant())) return null;
        return new ExtractedMemory(MemoryTypes.PersonalInfo, key, Cap(value, MemoryExtractor.MaxValueLength), confidence);
    }
}
