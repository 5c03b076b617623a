using static CrossLearn.Features.Memories.Extraction.RuleAnchor;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>Instructions at the start of a sentence: "Never call me after 9pm", "Please always answer in French".</summary>
internal static class ImperativeRules
{
    /// <summary>List markers and softeners before the instruction: "- ", "1. ", "please", "remember to".</summary>
    private const string Lead =
        @"[\s\-*•>#\d.)]*(?:(?:please|pls|and|also|but|so|oh|ok|okay|btw|just|remember|note|reminder|again)\b[\s,:]*){0,3}(?:to\s+)?";

    private const string Tail = @"\b(?:\s*,?\s*ever\b)?(?:\s*,)?";

    public static readonly CueRule[] All =
    [
        new("never-instruction", Instruction, 100, Lead + "never" + Tail, c => LikeRules.Never(c, instruction: true)),
        new("always-instruction", Instruction, 110, Lead + "always" + Tail, c => LikeRules.Always(c, instruction: true)),
    ];
}
