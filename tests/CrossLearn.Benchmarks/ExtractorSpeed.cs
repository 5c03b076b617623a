using System.Diagnostics;
using System.Text.Json;
using CrossLearn.Features.Memories;

namespace CrossLearn.Benchmarks;

/// <summary>
/// The extractor alone, on one thread: messages per second over the dev sets' lines (../shared/data, or --data DIR)
/// when they are there, else over the benchmark's own workload lines (shorter, so faster: say which in the figures). The baseline is the cheapest pass over the same text that any
/// reader must make (lower-casing and splitting into words), in the same run.
/// </summary>
public static class ExtractorSpeed
{
    public static void Measure(List<Row> rows, string dataDirectory)
    {
        var (lines, source) = Lines(dataDirectory);
        var extractor = PerSecond(lines, text => MemoryExtractor.Extract(text).Count);
        var baseline = PerSecond(lines, text => text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        rows.Add(new Row("Extractor alone, one thread", $"{lines.Count:N0} lines ({source})", $"{extractor:N0} msg/s", $"{baseline:N0} msg/s (lower-case + split)",
            $"{extractor / baseline:P1}", ">= 20,000 msg/s", extractor >= 20_000 ? "met" : "missed"));
    }

    private static double PerSecond(IReadOnlyList<string> lines, Func<string, int> work)
    {
        var sink = 0;
        // Warm up for a second (at least three passes) so the figure is the steady state, not tier-0 JIT code.
        var warm = Stopwatch.StartNew();
        for (var pass = 0; pass < 3 || warm.ElapsedMilliseconds < 1000; pass++)
            foreach (var line in lines) sink += work(line);
        var watch = Stopwatch.StartNew();
        var count = 0;
        while (watch.ElapsedMilliseconds < 3000)
        {
            foreach (var line in lines) sink += work(line);
            count += lines.Count;
        }
        GC.KeepAlive(sink);
        return count / watch.Elapsed.TotalSeconds;
    }

    private static (IReadOnlyList<string> Lines, string Source) Lines(string data)
    {
        var files = new[] { "personachat-facts-dev.jsonl", "prefeval-explicit-dev.jsonl" }.Select(f => Path.Combine(data, f)).Where(File.Exists).ToList();
        if (files.Count > 0)
            return (files.SelectMany(File.ReadLines).Where(l => l.Length > 0)
                .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString() ?? "").ToList(), "PersonaChat + PrefEval dev");
        var random = new Random(1);
        return (Enumerable.Range(0, 2000).Select(_ => Workload.Next(random).UserMessage).ToList(), "workload lines");
    }
}
