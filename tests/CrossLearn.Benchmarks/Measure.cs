using System.Diagnostics;

namespace CrossLearn.Benchmarks;

/// <summary>Latencies in milliseconds, collected per worker and merged.</summary>
public sealed class Latencies
{
    private readonly List<double> _ms = [];

    public int Count => _ms.Count;

    public void Add(long startTimestamp) => _ms.Add(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds);

    public void AddMs(double ms) => _ms.Add(ms);

    public static Latencies Merge(IEnumerable<Latencies> parts)
    {
        var all = new Latencies();
        foreach (var p in parts) all._ms.AddRange(p._ms);
        all._ms.Sort();
        return all;
    }

    /// <summary>Nearest-rank percentile of a merged (sorted) set.</summary>
    public double P(double percent)
    {
        if (_ms.Count == 0) return double.NaN;
        var rank = (int)Math.Ceiling(percent / 100.0 * _ms.Count) - 1;
        return _ms[Math.Clamp(rank, 0, _ms.Count - 1)];
    }

    public string Summary() => Count == 0 ? "no samples" : $"p50 {P(50):F1} ms, p95 {P(95):F1} ms, p99 {P(99):F1} ms, max {P(100):F1} ms (n={Count})";
}

/// <summary>One line of the final table.</summary>
public sealed record Row(string Scenario, string Data, string Ours, string Baseline, string Ratio, string Target, string Verdict);

public static class Log
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static void Phase(string text) => Console.WriteLine($"[{Clock.Elapsed:mm\\:ss}] == {text}");

    public static void Info(string text) => Console.WriteLine($"[{Clock.Elapsed:mm\\:ss}]    {text}");

    public static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}

public static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
