namespace CrossLearn.Features.Memories;

/// <summary>
/// One memory found in a user's message.
/// </summary>
/// <param name="Type">One of <see cref="MemoryTypes.All"/>.</param>
/// <param name="Key">Normalised identity of the memory: lower case, at most 100 characters; for personal_info a slot name from <see cref="PersonalInfoKeys"/>.</param>
/// <param name="Value">The user's own wording (case kept, trimmed, surrounding punctuation dropped).</param>
/// <param name="Confidence">0..1; see <see cref="MemoryExtractor"/> for the levels used.</param>
/// <param name="Category">What kind of thing it is (food, pet, language, ...; docs/extraction.md).</param>
public sealed record ExtractedMemory(string Type, string Key, string Value, double Confidence, string Category = Keys.KeyCanonicalizer.GeneralCategory);
