// Recall of MemoryExtractor on the labelled PersonaChat dev set (shared/data/personachat-facts-dev.jsonl).
// Usage: dotnet run --project tests/CrossLearn.ExtractionRecall [-- [path] [--misses CATEGORY] [--hits CATEGORY] [--limit N]]
// The data is only read here; none of it is copied into code or tests.
using System.Diagnostics;
using System.Text.Json;
using CrossLearn.Features.Memories;

string? path = null;
string? showMisses = null, showHits = null;
var limit = 40;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--misses" when i + 1 < args.Length: showMisses = args[++i]; break;
        case "--hits" when i + 1 < args.Length: showHits = args[++i]; break;
        case "--limit" when i + 1 < args.Length: limit = int.Parse(args[++i]); break;
        default: path = args[i]; break;
    }
}

path ??= FindDataFile();
if (path is null || !File.Exists(path))
{
    Console.Error.WriteLine("personachat-facts-dev.jsonl not found; pass its path as the first argument.");
    return 2;
}

// Which memory types count as a hit for each labelled category.
var mapped = new Dictionary<string, string[]>
{
    ["preference"] = [MemoryTypes.Preference],
    ["negative_preference"] = [MemoryTypes.NegativePreference],
    ["personal_info"] = [MemoryTypes.PersonalInfo],
    ["work_education"] = [MemoryTypes.PersonalInfo, MemoryTypes.Interest],
    ["interest_activity_goal"] = [MemoryTypes.Interest],
};
string[] order = ["preference", "negative_preference", "personal_info", "work_education", "interest_activity_goal", "other"];
var labelled = order.ToDictionary(c => c, _ => 0);
var typed = order.ToDictionary(c => c, _ => 0);
var any = order.ToDictionary(c => c, _ => 0);
int lines = 0, linesTyped = 0, linesAny = 0, onlyOther = 0, onlyOtherWithMemory = 0, memories = 0;
var shown = 0;
var watch = Stopwatch.StartNew();

foreach (var line in File.ReadLines(path))
{
    if (string.IsNullOrWhiteSpace(line)) continue;
    using var doc = JsonDocument.Parse(line);
    var text = doc.RootElement.GetProperty("text").GetString() ?? "";
    var categories = doc.RootElement.GetProperty("labels").EnumerateArray()
        .Select(l => l.GetProperty("category").GetString() ?? "other").Distinct().ToList();

    var found = MemoryExtractor.Extract(text);
    memories += found.Count;
    lines++;
    var lineTyped = false;
    foreach (var category in categories)
    {
        if (!labelled.ContainsKey(category)) continue;
        labelled[category]++;
        if (found.Count > 0) any[category]++;
        var hit = mapped.TryGetValue(category, out var types) && found.Any(m => types.Contains(m.Type));
        if (hit) { typed[category]++; lineTyped = true; }

        if (shown < limit && ((showMisses == category && !hit) || (showHits == category && found.Count > 0)))
        {
            shown++;
            var labels = string.Join("; ", doc.RootElement.GetProperty("labels").EnumerateArray()
                .Select(l => $"{l.GetProperty("relation").GetString()}={l.GetProperty("object").GetString()}"));
            Console.WriteLine($"  {text}\n      labels: {labels}\n      got: {string.Join(" | ", found.Select(m => $"{m.Type}:{m.Key}={m.Value}@{m.Confidence}"))}");
        }
    }
    if (lineTyped) linesTyped++;
    if (found.Count > 0) linesAny++;
    if (categories.All(c => c == "other"))
    {
        onlyOther++;
        if (found.Count > 0) onlyOtherWithMemory++;
    }
}
watch.Stop();

Console.WriteLine($"Data: {path}");
Console.WriteLine($"{"category",-24} {"lines",6} {"mapped type",12} {"recall",7} {"any memory",11}");
foreach (var c in order)
{
    var n = labelled[c];
    var t = c == "other" ? "-" : typed[c].ToString();
    var r = c == "other" || n == 0 ? "-" : $"{100.0 * typed[c] / n:0.0}%";
    Console.WriteLine($"{c,-24} {n,6} {t,12} {r,7} {any[c],11}");
}
Console.WriteLine($"{"overall (lines)",-24} {lines,6} {linesTyped,12} {100.0 * linesTyped / Math.Max(1, lines),6:0.0}% {linesAny,11}");
Console.WriteLine($"lines labelled only 'other' that produced a memory: {onlyOtherWithMemory} of {onlyOther}");
// Warm timing: extraction only, all lines again.
var texts = File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l))
    .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("text").GetString() ?? "").ToList();
var warm = Stopwatch.StartNew();
foreach (var t in texts) MemoryExtractor.Extract(t);
warm.Stop();
Console.WriteLine($"memories produced: {memories}; first pass (incl. JSON, JIT): {watch.ElapsedMilliseconds} ms; warm pass: {warm.Elapsed.TotalMilliseconds:0} ms ({1000 * warm.Elapsed.TotalMilliseconds / Math.Max(1, texts.Count):0} µs/line)");
return 0;

static string? FindDataFile()
{
    const string relative = "shared/data/personachat-facts-dev.jsonl";
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir != null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, relative);
        if (File.Exists(candidate)) return candidate;
        // The repository root's sibling: <root>/../shared/data.
        if (Directory.Exists(Path.Combine(dir.FullName, ".git")))
        {
            var sibling = Path.GetFullPath(Path.Combine(dir.FullName, "..", relative));
            if (File.Exists(sibling)) return sibling;
        }
    }
    return null;
}
