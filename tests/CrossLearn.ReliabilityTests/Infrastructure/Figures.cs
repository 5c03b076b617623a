using Xunit.Abstractions;

namespace CrossLearn.ReliabilityTests.Infrastructure;

/// <summary>Figures of the last run, printed and appended to .data/reliability-last-run.txt (for docs/reliability.md).</summary>
public static class RunFigures
{
    private static readonly object Gate = new();

    public static void Record(ITestOutputHelper output, string line)
    {
        output.WriteLine(line);
        lock (Gate)
        {
            File.AppendAllText(Repository.DataFile("reliability-last-run.txt"), $"{DateTime.UtcNow:O} {line}{Environment.NewLine}");
        }
    }
}
