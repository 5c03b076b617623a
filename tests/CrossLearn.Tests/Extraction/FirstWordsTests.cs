using CrossLearn.Features.Memories.Extraction;
using CrossLearn.Features.Memories.Extraction.Rules.English;

namespace CrossLearn.Tests.Extraction;

/// <summary>
/// The first-word index skips a cue only when no word after the subject could start it, so what it reads from a pattern
/// must be complete, and it must give up (null: try the cue everywhere) on any start it does not follow.
/// </summary>
public class FirstWordsTests
{
    // "$" marks a whole word (FirstWords.Whole): the pattern ends it with a blank or a boundary, so "a" never admits "also".
    [Theory]
    [InlineData(@"\s+(?:hate|dislike|(?:can't|cannot)\s+stand)\b", "hate,dislike,can't,cannot")]
    [InlineData(@"(?=\s+(?:play|watch|listen\s+to)\b)", "play,watch,listen$")]
    [InlineData(@"\s+never\b(?:\s+ever\b)?", "never$")]
    [InlineData(@"\s+works?\b", "works$,work$")]
    [InlineData(@"\s+works?(?:hop)?", "work")]
    [InlineData(@"\s+(?:do\s+not|don't|dont)\s+like", "do$,don't,dont")]
    [InlineData(@"\s+(?:really\s+)?like", "really$,like")]                       // an optional group: its words or the next
    [InlineData(@"\s+(?:like|(?:very\s+)*love)", "like,very$,love")]
    [InlineData(@"\s+(?:an?\s+)?(?:strict\s+)?(?<thing>vegan|keto)\b", "an$,a$,strict$,vegan,keto")]
    [InlineData(@"(?:\s+(?:only|mostly))+(?=\s+use)", "only,mostly")]          // a repeated group of blank-led words
    [InlineData(@"\s+(?<age>\d{1,3})", "0,1,2,3,4,5,6,7,8,9")]                 // a number
    public void Reads_every_word_a_pattern_can_start_with(string remainder, string expected) =>
        Assert.Equal(expected.Replace('$', FirstWords.Whole).Split(','), FirstWords.Of(remainder));

    [Theory]
    [InlineData("a ", "a", true)]
    [InlineData("a ", "a,", true)]
    [InlineData("a ", "also", false)]
    [InlineData("no ", "no-one", true)]        // a boundary before the hyphen: the pattern can match there
    [InlineData("like", "likes", true)]        // a prefix admits longer words
    [InlineData("like", "lik", false)]
    public void A_whole_word_admits_no_longer_word(string first, string word, bool admitted) =>
        Assert.Equal(admitted, FirstWords.Admits(first, word));

    [Fact]
    public void A_leading_group_of_subject_starts_gives_the_first_words_of_each()
    {
        var pattern = "(?:" + CueParts.I + CueParts.ADV + @"\s+(?:want|need)|" + CueParts.IM + CueParts.ADV + @"\s+on)\s+a\s+diet";
        var cue = SubjectCues.Compile(new CueRule("test", RuleAnchor.AtSubject, 1, pattern, _ => null), EnglishRules.Syntax.AdverbStarts);
        Assert.Equal(["want", "need", "on"], cue.FirstWords);  // "on" ends its group: a prefix, the safe reading
    }

    [Fact]
    public void A_leading_group_that_ends_at_the_subject_gives_up()
    {
        var pattern = "(?:" + CueParts.IM + "|" + CueParts.IVE + ")" + CueParts.ADV + @"\s+vegan";
        var cue = SubjectCues.Compile(new CueRule("test", RuleAnchor.AtSubject, 1, pattern, _ => null), EnglishRules.Syntax.AdverbStarts);
        Assert.Null(cue.FirstWords);
    }

    [Theory]
    [InlineData(@"\s+[a-z]+\s+is")]                  // a class
    [InlineData(@"\s*like")]                         // not the shape the index knows
    [InlineData(@"\s+(?:|like)")]                    // an empty alternative
    [InlineData(@"\s+(?:an?\s+)?[a-z]+")]             // an optional group, then a class
    public void Gives_up_on_starts_it_does_not_follow(string remainder) => Assert.Null(FirstWords.Of(remainder));
}
