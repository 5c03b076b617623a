namespace CrossLearn.Features.Memories.Extraction;

/// <summary>
/// Word lists embedded from Lexicons/&lt;language&gt;/&lt;name&gt;.txt: one word or phrase a line, '#' starts a comment.
/// Load each list once, into a static field.
/// </summary>
internal static class Lexicon
{
    public static HashSet<string> Load(string language, string name, StringComparer? comparer = null) =>
        new(Entries(language, name), comparer ?? StringComparer.Ordinal);

    /// <summary>The entries of a list in file order, comments and blank lines left out.</summary>
    public static List<string> Entries(string language, string name)
    {
        var resource = $"CrossLearn.Features.Memories.Extraction.Lexicons.{language}.{name}.txt";
        using var stream = typeof(Lexicon).Assembly.GetManifestResourceStream(resource)
                           ?? throw new InvalidOperationException($"Lexicon {resource} is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        var entries = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            var hash = line.IndexOf('#');
            var entry = (hash >= 0 ? line[..hash] : line).Trim();
            if (entry.Length > 0) entries.Add(entry);
        }
        return entries;
    }
}
