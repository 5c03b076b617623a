using static CrossLearn.Features.Memories.Extraction.RuleAnchor;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>Instructions at the start of a sentence: "Never call me after 9pm", "Please always answer in French" (the lead is <see cref="CueParts.InstructionLead"/>).</summary>
internal static class ImperativeRules
{
    private const string Tail = @"\b(?:\s*,?\s*ever\b)?(?:\s*,)?";

    public static readonly CueRule[] All =
    [
        new("never-instruction", Instruction, 100, "never" + Tail, c => LikeRules.Never(c, instruction: true)),
        new("always-instruction", Instruction, 110, "always" + Tail, c => LikeRules.Always(c, instruction: true)),
    ];
}
