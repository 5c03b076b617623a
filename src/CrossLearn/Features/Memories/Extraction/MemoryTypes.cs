namespace CrossLearn.Features.Memories;

/// <summary>The kinds of memory the extractor produces (see docs/extraction.md).</summary>
public static class MemoryTypes
{
    /// <summary>Something the user likes, prefers or always does. Key: the thing, normalised.</summary>
    public const string Preference = "preference";

    /// <summary>Something the user dislikes, avoids or never does. Key: the thing, normalised (same key as the positive).</summary>
    public const string NegativePreference = "negative_preference";

    /// <summary>A single-slot fact about the user. Key: a fixed slot name (see <see cref="PersonalInfoKeys"/>); Value: the fact.</summary>
    public const string PersonalInfo = "personal_info";

    /// <summary>Something the user is working on, learning or interested in. Key: the thing, normalised.</summary>
    public const string Interest = "interest";

    public static readonly IReadOnlyList<string> All = [Preference, NegativePreference, PersonalInfo, Interest];
}

/// <summary>The fixed keys used for <see cref="MemoryTypes.PersonalInfo"/> memories.</summary>
public static class PersonalInfoKeys
{
    /// <summary>"My name is X", "my name's X", "I'm called X".</summary>
    public const string Name = "name";

    /// <summary>"I live in X", "I'm living/based in X", "I moved to X".</summary>
    public const string Location = "location";

    /// <summary>"I work as X", "I'm a X by profession", "my job is X", "I'm a nurse" (known occupation words).</summary>
    public const string Occupation = "occupation";

    /// <summary>Addition: "I'm from X", "I come from X" (where the user is from, kept apart from where they live).</summary>
    public const string Origin = "origin";

    /// <summary>Addition: "I work at/for/in X" (employer or field).</summary>
    public const string Workplace = "workplace";

    /// <summary>Addition: "I'm 34 years old".</summary>
    public const string Age = "age";

    public static readonly IReadOnlyList<string> All = [Name, Location, Occupation, Origin, Workplace, Age];
}
