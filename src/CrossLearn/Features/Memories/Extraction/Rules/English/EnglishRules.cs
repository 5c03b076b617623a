using System.Text.RegularExpressions;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>
/// The English rules. Their word lists are in Lexicons/en/. Priorities of the cues at a subject, lowest tried first:
/// 100s likes and dislikes (negations first), 200s personal facts, 300s goals and interests, 400 favourites,
/// 500s "I'm 34" and "I'm a ...", 600 activities, 700 "I'm Ana" — the broadest cues last, so a specific cue wins.
/// </summary>
internal static partial class EnglishRules
{
    /// <summary>Where a cue at a subject may start: "I", "I'm", "Im", "Ive", "my".</summary>
    [GeneratedRegex(@"(?<![\w'])(?:i|im|ive|my)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex Subject();

    public static readonly IReadOnlyList<CueRule> All =
    [
        .. LikeRules.All, .. PersonalRules.All, .. GoalRules.All, .. FavouriteRules.All, .. ActivityRules.All, .. ImperativeRules.All,
    ];
}
