using static CrossLearn.Features.Memories.Extraction.RuleAnchor;
using static CrossLearn.Features.Memories.Extraction.Rules.English.CueParts;
using static CrossLearn.Features.Memories.Extraction.Rules.English.Remember;
using static CrossLearn.Features.Memories.MemoryExtractor;
using static CrossLearn.Features.Memories.MemoryTypes;

namespace CrossLearn.Features.Memories.Extraction.Rules.English;

/// <summary>
/// How the user wants the assistant to answer, said to it: language ("answer in French"), length ("keep it short"),
/// format ("use bullet points", "no emojis", "don't use jargon"), tone ("be more formal") and channels ("text me
/// instead", "no emails please", "I want email notifications"). Instructions to the assistant are preferences.
/// </summary>
internal static class AssistantRules
{
    private static readonly string Languages = AnyOf("categories.language", plurals: false);
    private static readonly string Formats = AnyOf("categories.format");
    private static readonly string Channels = AnyOf("categories.communication");

    private const string Answers = @"(?:answers?|replies|reply|responses?|explanations?|summaries|summary|messages?|everything|it|them|the\s+answers?|your\s+answers?|the\s+replies|your\s+replies|the\s+responses?|your\s+responses?)";

    private const string Length = @"short|shorter|brief|briefer|concise|simple|simpler|detailed|longer|to\s+the\s+point|under\s+\d+\s+words|in\s+depth|thorough";

    private const string Tones = @"formal|informal|casual|friendly|direct|blunt|polite|professional|funny|humorous|serious|gentle|warm|encouraging|honest|technical|patient|neutral|playful|empathetic";

    public static readonly CueRule[] All =
    [
        new("reply-in", Instruction, 120,
            @"(?:can\s+you\s+|could\s+you\s+)?(?:answer|reply|respond|write|talk|speak|chat|translate\s+everything|communicate)(?:\s+(?:to\s+me|back|with\s+me))?\s+(?:only\s+|always\s+)?in\s+(?=" + Languages + @"\b)",
            c => Language(c.Value)),
        new("keep-it", Instruction, 130,
            @"(?:keep|make)\s+(?:it|them|things|your\s+(?:answers?|replies|responses|messages|explanations))\s+(?:really\s+|very\s+|nice\s+and\s+|short\s+and\s+)?(?=(?:" + Length + "|" + Tones + @")\b)",
            c => Style(c.Value)),
        new("be-tone", Instruction, 140,
            @"(?:be|sound|stay|talk|speak|write)\s+(?:more\s+|very\s+|a\s+bit\s+(?:more\s+)?|a\s+little\s+(?:more\s+)?)?(?=(?:" + Tones + "|" + Length + @")\b)",
            c => Style(c.Value)),
        new("use-format", Instruction, 150,
            @"(?:use|include|add|give\s+me|show\s+me|format\s+(?:it|answers|everything|your\s+answers)\s+(?:as|with|in)|answer\s+(?:with|in))\s+(?=(?:some\s+|more\s+|a\s+)?(?:" + Formats + @")\b)",
            c => Thing(Preference, c.Value, ExplicitConfidence)),
        new("dont-use", Instruction, 160,
            @"(?:don't|do\s+not|dont|stop|avoid|no\s+more)\s+(?:using|use|including|include|adding|add|sending|send|giving|give|putting|put|writing|write|starting\s+with|ending\s+with)(?:\s+me)?\s+(?=\w)",
            c => Thing(NegativePreference, c.Value, ExplicitConfidence)),
        new("contact-me", Instruction, 170, @"(?<thing>email|e-mail|text|message|dm|whatsapp|sms)\s+me\b",
            c => Keyed(Preference, Channel(c.Value), "communication", c.CueText, ExplicitConfidence)) { ValueGroup = "thing" },
        new("no-thing", SentenceStart, 120,
            SentenceLead + @"(?:(?:and|but|also|please|oh|ok|okay)[\s,]+){0,2}no\s+(?:more\s+)?(?=(?:" + Formats + "|" + Channels + @")\b)",
            c => Thing(NegativePreference, c.Value, ExplicitConfidence)),

        new("want-delivery", AtSubject, 185,
            "(?:" + I + ADV + @"\s+(?:want|need|like|prefer|love|appreciate|would\s+like|would\s+prefer)|" + ID + ADV + @"\s+(?:like|love|prefer|appreciate))"
            + @"\s+(?:to\s+(?:get|receive|have|see)\s+)?(?=(?:the\s+|my\s+|your\s+|all\s+)?(?:" + Answers + @"|notifications?|updates?|alerts?|reminders?|newsletters?)\s+(?:in|by|via|over|through|as|with|to\s+be)\b|(?:" + Formats + "|" + Channels + @")\b)",
            // The key does the rest: "answers in French" -> french, "notifications by e-mail" -> email notification.
            c => Thing(Preference, c.Value, ExplicitConfidence)),
    ];

    private static ExtractedMemory? Language(string value)
    {
        var language = value.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        return Keyed(Preference, language, "language", value, ExplicitConfidence);
    }

    /// <summary>"keep it short", "be brief" and "concise please" meet on one key; so do the tones.</summary>
    private static ExtractedMemory? Style(string value)
    {
        var word = value.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0].ToLowerInvariant();
        var (key, category) = word switch
        {
            "short" or "shorter" or "brief" or "briefer" or "concise" or "to" or "under" => ("short answer", "format"),
            "detailed" or "longer" or "in" or "thorough" => ("detailed answer", "format"),
            "simple" or "simpler" => ("simple answer", "format"),
            _ => ($"{word} tone", "tone")
        };
        return Keyed(Preference, key, category, value, ExplicitConfidence);
    }

    private static string Channel(string verb) => verb.ToLowerInvariant() switch
    {
        "email" or "e-mail" => "email",
        "text" or "sms" => "text message",
        _ => verb.ToLowerInvariant()
    };
}
