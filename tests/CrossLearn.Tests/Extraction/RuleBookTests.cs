using CrossLearn.Features.Memories.Extraction;
using CrossLearn.Features.Memories.Extraction.Rules.English;

namespace CrossLearn.Tests.Extraction;

/// <summary>The rule book refuses rules whose order or pattern would make extraction silently wrong.</summary>
public class RuleBookTests
{
    private static RuleBook Book(params CueRule[] rules) =>
        new(EnglishRules.Syntax, rules, v => [v], _ => false, _ => "", _ => false);

    [Fact]
    public void A_word_list_spliced_in_before_it_was_loaded_is_refused()
    {
        string? notYetLoaded = null;
        var hollow = new CueRule("hollow", RuleAnchor.AtSubject, 1, CueParts.IM + @"\s+(?<thing>" + notYetLoaded + ")", _ => null);
        var refused = Assert.Throws<InvalidOperationException>(() => Book(hollow));
        Assert.Contains("hollow", refused.Message);
    }

    [Fact]
    public void An_empty_alternative_is_refused()
    {
        string? notYetLoaded = null;
        var hollow = new CueRule("hollow", RuleAnchor.Instruction, 1, "(?:" + notYetLoaded + @"|keep\s+it)", _ => null);
        Assert.Throws<InvalidOperationException>(() => Book(hollow));
    }

    [Fact]
    public void An_aside_without_its_words_is_refused()
    {
        var aside = new CueRule("aside", RuleAnchor.ThingFirst, 1, @"(?<aside>,\s*my\s+fav\w*)", _ => null) { AsideGroup = "aside" };
        Assert.Throws<InvalidOperationException>(() => Book(aside));
    }

    [Fact]
    public void Two_rules_of_one_priority_are_refused()
    {
        var one = new CueRule("one", RuleAnchor.AtSubject, 7, CueParts.I + @"\s+like\b", _ => null);
        var two = new CueRule("two", RuleAnchor.AtSubject, 7, CueParts.I + @"\s+love\b", _ => null);
        Assert.Throws<InvalidOperationException>(() => Book(one, two));
    }

    [Fact]
    public void An_escaped_bracket_pair_is_no_empty_group()
    {
        var literal = new CueRule("smiley", RuleAnchor.Mention, 1, @"\(\)", _ => null);
        Assert.NotNull(Book(literal));
    }
}
