namespace CrossLearn.Features.Memories;

/// <summary>
/// The version of the extraction rules, recorded on every memory event. Raise it with every change to the rules or
/// lexicons that changes what is extracted: a re-extraction (POST /api/admin/reextract) then says which rules
/// produced each memory.
/// </summary>
public static class ExtractorVersion
{
    public const string Current = "en-12";
}
