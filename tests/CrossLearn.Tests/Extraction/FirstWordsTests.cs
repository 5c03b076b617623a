using CrossLearn.Features.Memories.Extraction;

namespace CrossLearn.Tests.Extraction;

/// <summary>
/// The first-word index skips a cue only when no word after the subject could start it, so what it reads from a pattern
/// must be complete, and it must give up (null: try the cue everywhere) on any start it does not follow.
/// </summary>
public class FirstWordsTests
{
    [Theory]
    [InlineData(@"\s+(?:hate|dislike|(?:can't|cannot)\s+stand)\b", "hate,dislike,can't,cannot")]
    [InlineData(@"(?=\s+(?:play|watch|listen\s+to)\b)", "play,watch,listen")]
    [InlineData(@"\s+never\b(?:\s+ever\b)?", "never")]
    [InlineData(@"\s+works?\b", "work")]
    [InlineData(@"\s+(?:do\s+not|don't|dont)\s+like", "do,don't,dont")]
    [InlineData(@"\s+(?:really\s+)?like", "really,like")]                       // an optional group: its words or the next
    [InlineData(@"\s+(?:like|(?:very\s+)*love)", "like,very,love")]
    [InlineData(@"\s+(?:an?\s+)?(?:strict\s+)?(?<thing>vegan|keto)\b", "a,strict,vegan,keto")]
    public void Reads_every_word_a_pattern_can_start_with(string remainder, string expected) =>
        Assert.Equal(expected.Split(','), FirstWords.Of(remainder));

    [Theory]
    [InlineData(@"\s+[a-z]+\s+is")]                  // a class
    [InlineData(@"\s*like")]                         // not the shape the index knows
    [InlineData(@"\s+(?:|like)")]                    // an empty alternative
    [InlineData(@"\s+(?:an?\s+)?[a-z]+")]             // an optional group, then a class
    public void Gives_up_on_starts_it_does_not_follow(string remainder) => Assert.Null(FirstWords.Of(remainder));
}
