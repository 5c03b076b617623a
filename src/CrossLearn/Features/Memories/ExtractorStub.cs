// TEMPORARY until Features/Memories/Extraction/MemoryExtractor.cs lands.
namespace CrossLearn.Features.Memories;
public static class MemoryExtractor {
    public static IReadOnlyList<ExtractedMemory> Extract(string userMessage) {
        var m = System.Text.RegularExpressions.Regex.Match(userMessage, @"^I (think I )?(prefer|like|hate) (.+?)[.!]?$");
        if (m.Success) return [new ExtractedMemory(m.Groups[2].Value == "hate" ? MemoryTypes.NegativePreference : MemoryTypes.Preference, m.Groups[3].Value.ToLowerInvariant(), m.Groups[3].Value, m.Groups[1].Success ? 0.5 : 0.9)];
        m = System.Text.RegularExpressions.Regex.Match(userMessage, @"^My name is (.+?)[.!]?$");
        return m.Success ? [new ExtractedMemory(MemoryTypes.PersonalInfo, "name", m.Groups[1].Value, 0.9)] : [];
    }
}
