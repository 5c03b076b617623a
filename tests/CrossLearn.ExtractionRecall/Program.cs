// Measures MemoryExtractor on the labelled development sets in ../shared/data (docs/extraction.md):
// recall per category on PersonaChat, cross-user pattern formation, the PrefEval share, precision on hand labels, speed.
// Usage: dotnet run -c Release --project tests/CrossLearn.ExtractionRecall [-- [--data DIR] [--misses CATEGORY]
//        [--hits CATEGORY] [--limit N] [--sample N] [--seed S] [--sample-size K] [--prefeval-misses] [--relabel] [--wrong] [--unformed N] [--speed-only S]
//        | --say TEXT... | --say - ]
// The data is only read here; none of it is copied into code or tests (hand labels name lines by id).
using System.Diagnostics;
using System.Text.Json;
using CrossLearn.Features.Memories;
using CrossLearn.Features.Memories.Keys;

string? dataDir = null, showMisses = null, showHits = null;
int limit = 40, sample = 0, seed = 12, sampleSize = 0;
var prefEvalMisses = false;
var relabel = false;
var showWrong = false;
var unformed = 0;
var speedSeconds = 3;
var speedOnly = false;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--data" when i + 1 < args.Length: dataDir = args[++i]; break;
        case "--misses" when i + 1 < args.Length: showMisses = args[++i]; break;
        case "--hits" when i + 1 < args.Length: showHits = args[++i]; break;
        case "--limit" when i + 1 < args.Length: limit = int.Parse(args[++i]); break;
        case "--sample" when i + 1 < args.Length: sample = int.Parse(args[++i]); break;
        case "--seed" when i + 1 < args.Length: seed = int.Parse(args[++i]); break;
        case "--sample-size" when i + 1 < args.Length: sampleSize = int.Parse(args[++i]); break;
        case "--prefeval-misses": prefEvalMisses = true; break;
        case "--wrong": showWrong = true; break;
        case "--relabel": relabel = true; break;
        case "--say": i = args.Length; break;
        case "--unformed" when i + 1 < args.Length: unformed = int.Parse(args[++i]); break;
        case "--speed-only" when i + 1 < args.Length: speedOnly = true; speedSeconds = int.Parse(args[++i]); break;
        default: dataDir = args[i]; break;
    }
}

// --say "text" ...: what the extractor makes of each text (one per line on standard input with --say -).
var sayAt = Array.IndexOf(args, "--say");
if (sayAt >= 0)
{
    var said = sayAt + 1 < args.Length && args[sayAt + 1] != "-" ? args[(sayAt + 1)..] : ReadAllLines(Console.In);
    foreach (var text in said) Console.WriteLine($"{text}\n    -> {Describe(MemoryExtractor.Extract(text))}");
    return 0;
}

dataDir ??= FindDataDirectory();
var personaPath = dataDir == null ? null : Path.Combine(dataDir, "personachat-facts-dev.jsonl");
var prefEvalPath = dataDir == null ? null : Path.Combine(dataDir, "prefeval-explicit-dev.jsonl");
if (personaPath is null || !File.Exists(personaPath) || !File.Exists(prefEvalPath))
{
    Console.Error.WriteLine("shared/data/personachat-facts-dev.jsonl and prefeval-explicit-dev.jsonl not found; pass --data DIR.");
    return 2;
}

var persona = File.ReadLines(personaPath).Where(l => !string.IsNullOrWhiteSpace(l)).Select(l =>
{
    var root = JsonDocument.Parse(l).RootElement;
    var labels = root.GetProperty("labels").EnumerateArray()
        .Select(x => new Label(x.GetProperty("relation").GetString() ?? "", x.GetProperty("object").GetString() ?? "",
            x.GetProperty("category").GetString() ?? "other")).ToList();
    return new Line(root.GetProperty("id").GetString()!, root.GetProperty("text").GetString() ?? "", labels);
}).ToList();
var prefEval = File.ReadLines(prefEvalPath!).Where(l => !string.IsNullOrWhiteSpace(l)).Select((l, i) =>
{
    var root = JsonDocument.Parse(l).RootElement;
    return new Line($"pf-{i:0000}", root.GetProperty("text").GetString() ?? "", []);
}).ToList();
if (speedOnly) goto Speed;
var extracted = persona.Concat(prefEval).ToDictionary(l => l.Id, l => MemoryExtractor.Extract(l.Text));

// ---- 1. Recall per labelled category (PersonaChat)
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
int linesTyped = 0, linesAny = 0, onlyOther = 0, onlyOtherWithMemory = 0, shown = 0;
foreach (var line in persona)
{
    var found = extracted[line.Id];
    var lineTyped = false;
    foreach (var category in line.Labels.Select(l => l.Category).Distinct())
    {
        if (!labelled.ContainsKey(category)) continue;
        labelled[category]++;
        if (found.Count > 0) any[category]++;
        var hit = mapped.TryGetValue(category, out var types) && found.Any(m => types.Contains(m.Type));
        if (hit) { typed[category]++; lineTyped = true; }
        if (shown < limit && ((showMisses == category && !hit) || (showHits == category && found.Count > 0)))
        {
            shown++;
            Console.WriteLine($"  {line.Text}\n      labels: {string.Join("; ", line.Labels.Select(l => $"{l.Relation}={l.Object}"))}\n      got: {Describe(found)}");
        }
    }
    if (lineTyped) linesTyped++;
    if (found.Count > 0) linesAny++;
    if (line.Labels.All(l => l.Category == "other"))
    {
        onlyOther++;
        if (found.Count > 0) onlyOtherWithMemory++;
    }
}

Console.WriteLine($"PersonaChat dev: {personaPath}");
Console.WriteLine($"{"category",-24} {"lines",6} {"mapped type",12} {"recall",7} {"any memory",11}");
foreach (var c in order)
{
    var n = labelled[c];
    var r = c == "other" || n == 0 ? "-" : $"{100.0 * typed[c] / n:0.0}%";
    Console.WriteLine($"{c,-24} {n,6} {(c == "other" ? "-" : typed[c].ToString()),12} {r,7} {any[c],11}");
}
Console.WriteLine($"{"overall (lines)",-24} {persona.Count,6} {linesTyped,12} {100.0 * linesTyped / Math.Max(1, persona.Count),6:0.0}% {linesAny,11}");
Console.WriteLine($"lines labelled only 'other' that produced a memory: {onlyOtherWithMemory} of {onlyOther}");

// ---- 2. Cross-user pattern formation (PersonaChat): lines whose labels share category preference or
// negative_preference and the same object (lower case, singular/plural-insensitive, a leading article or "my" dropped) form a group; the group forms a
// pattern when 2+ of its lines give the same (type, key) and the key names that object.
var groups = persona
    .SelectMany(l => l.Labels.Where(x => x.Category is "preference" or "negative_preference").Select(x => (Line: l, Label: x)))
    .GroupBy(p => (p.Label.Category, Object: LabelObject(p.Label.Object)))
    .Select(g => (g.Key.Category, g.Key.Object, Lines: g.Select(p => p.Line).DistinctBy(l => l.Id).ToList()))
    .Where(g => g.Lines.Count >= 2)
    .ToList();
int formed = 0, formedVerbForms = 0, pairs = 0, sharingPairs = 0;
foreach (var (category, obj, lines) in groups)
{
    var type = category == "preference" ? MemoryTypes.Preference : MemoryTypes.NegativePreference;
    var keysPerLine = lines.Select(l => extracted[l.Id].Where(m => m.Type == type && Names(m.Key, obj)).Select(m => m.Key).ToHashSet()).ToList();
    var keysPerLineVerbForms = lines.Select(l => extracted[l.Id].Where(m => m.Type == type && Names(m.Key, obj, verbForms: true)).Select(m => m.Key).ToHashSet()).ToList();
    if (keysPerLineVerbForms.SelectMany(k => k).GroupBy(k => k).Any(k => k.Count() >= 2)) formedVerbForms++;
    if (keysPerLine.SelectMany(k => k).GroupBy(k => k).Any(k => k.Count() >= 2)) formed++;
    else if (unformed-- > 0)
        Console.WriteLine($"  group {category}:{obj} ({lines.Count} lines): " +
                          string.Join(" | ", lines.Select(l => string.Join(",", extracted[l.Id].Select(m => $"{Short(m.Type)}:{m.Key}")))) +
                          string.Concat(lines.Select(l => $"\n      {l.Text}")));
    for (var a = 0; a < keysPerLine.Count; a++)
    for (var b = a + 1; b < keysPerLine.Count; b++)
    {
        pairs++;
        if (keysPerLine[a].Overlaps(keysPerLine[b])) sharingPairs++;
    }
}
Console.WriteLine($"pattern formation: {formed} of {groups.Count} groups ({100.0 * formed / Math.Max(1, groups.Count):0.0}%); " +
                  $"{sharingPairs} of {pairs} pairs inside them share a key ({100.0 * sharingPairs / Math.Max(1, pairs):0.0}%); " +
                  $"with a verb's -ing form naming it too (`driving` names \"drive\"): {formedVerbForms} ({100.0 * formedVerbForms / Math.Max(1, groups.Count):0.0}%)");

// ---- 3. PrefEval: every statement is an explicit preference.
var prefHits = prefEval.Count(l => extracted[l.Id].Any(m => m.Type is MemoryTypes.Preference or MemoryTypes.NegativePreference));
var prefKeys = prefEval.SelectMany(l => extracted[l.Id].Where(m => m.Type is MemoryTypes.Preference or MemoryTypes.NegativePreference)
    .Select(m => (m.Type, m.Key)).Distinct()).GroupBy(k => k).ToList();
Console.WriteLine($"PrefEval dev: {prefHits} of {prefEval.Count} statements give a preference or negative_preference memory " +
                  $"({100.0 * prefHits / Math.Max(1, prefEval.Count):0.0}%); {prefKeys.Count} distinct keys, {prefKeys.Count(g => g.Count() >= 2)} said by 2+ statements");
if (prefEvalMisses)
    foreach (var line in prefEval.Where(l => !extracted[l.Id].Any(m => m.Type is MemoryTypes.Preference or MemoryTypes.NegativePreference)).Take(limit))
        Console.WriteLine($"  miss: {line.Text}\n      got: {Describe(extracted[line.Id])}");

// ---- 4. Precision on the hand-labelled sample (precision-labels.tsv: id, type, key, label).
var labelsPath = Path.Combine(AppContext.BaseDirectory, "precision-labels.tsv");
if (File.Exists(labelsPath))
{
    var rows = File.ReadLines(labelsPath).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('\t')).Where(r => r.Length >= 4).ToList();
    var current = rows.Where(r => extracted.TryGetValue(r[0], out var m) && m.Any(x => x.Type == r[1] && x.Key == r[2])).ToList();
    var correct = current.Count(r => r[3] == "correct");
    Console.WriteLine($"precision (hand labels): {correct} of {current.Count} labelled memories correct ({100.0 * correct / Math.Max(1, current.Count):0.0}%); " +
                      $"by label: {string.Join(", ", current.GroupBy(r => r[3]).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"))}; " +
                      $"{rows.Count - current.Count} labelled memories no longer extracted");

    // A second labeller on some of the rows: how often the two agree, and precision by its labels.
    var secondPath = Path.Combine(AppContext.BaseDirectory, "precision-labels-second.tsv");
    if (File.Exists(secondPath))
    {
        var second = File.ReadLines(secondPath).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('\t')).Where(r => r.Length >= 4)
            .ToDictionary(r => (r[0], r[1], r[2]), r => r[3]);
        var mine = rows.Where(r => second.ContainsKey((r[0], r[1], r[2]))).ToList();
        var stillSecond = second.Where(kv => current.Any(r => (r[0], r[1], r[2]) == kv.Key)).ToList();
        Console.WriteLine($"second labeller: agrees on {mine.Count(r => second[(r[0], r[1], r[2])] == r[3])} of {mine.Count} rows both labelled; " +
                          $"by its labels {stillSecond.Count(kv => kv.Value == "correct")} of {stillSecond.Count} of those still extracted are correct " +
                          $"({100.0 * stillSecond.Count(kv => kv.Value == "correct") / Math.Max(1, stillSecond.Count):0.0}%; the first labeller: " +
                          $"{100.0 * current.Count(r => second.ContainsKey((r[0], r[1], r[2])) && r[3] == "correct") / Math.Max(1, stillSecond.Count):0.0}%)");
    }

    // --wrong: the memories labelled wrong that the rules still give, to see what kinds of mistake are left.
    if (showWrong)
    {
        var textOf = persona.Concat(prefEval).ToDictionary(l => l.Id, l => l.Text);
        foreach (var r in current.Where(r => r[3] != "correct").OrderBy(r => r[3]))
            Console.WriteLine($"  {r[3]}\t{r[0]}\t{Short(r[1])}:{r[2]}\t{textOf[r[0]]}");
    }

    // --relabel: after a rule change, the memories that replaced labelled ones (same line and type, no label yet), to label and append.
    if (relabel)
    {
        var lines = persona.Concat(prefEval).ToDictionary(l => l.Id);
        var haveLabels = rows.Select(r => (r[0], r[1], r[2])).ToHashSet();
        Console.WriteLine("# id\ttype\tkey\tlabel(correct|wrong_type|wrong_key|not_memory)\tcategory\tvalue\ttext");
        foreach (var (id, type) in rows.Except(current).Select(r => (r[0], r[1])).Distinct())
        foreach (var m in extracted[id].Where(m => m.Type == type && !haveLabels.Contains((id, m.Type, m.Key))))
            Console.WriteLine($"{id}\t{m.Type}\t{m.Key}\t?\t{m.Category}\t{m.Value}\t{lines[id].Text}");
    }
}
else Console.WriteLine("precision: no precision-labels.tsv yet (make a sample with --sample 300)");

if (sample > 0)
{
    var all = persona.Concat(prefEval).SelectMany(l => extracted[l.Id].Select(m => (Line: l, Memory: m))).ToList();
    var random = new Random(seed);
    Console.WriteLine("# id\ttype\tkey\tlabel(correct|wrong_type|wrong_key|not_memory)\tcategory\tvalue\ttext");
    var drawn = all.OrderBy(_ => random.Next()).Take(sample).ToList();
    foreach (var (line, m) in drawn)
        Console.WriteLine($"{line.Id}\t{m.Type}\t{m.Key}\t?\t{m.Category}\t{m.Value}\t{line.Text}");

    // --sample N --seed S --sample-size K: precision of the first K memories drawn, by the label file (a random sample of the
    // memories extracted now, whatever was labelled before: what one would get labelling K memories from scratch).
    if (sampleSize > 0 && File.Exists(labelsPath))
    {
        var labelOf = File.ReadLines(labelsPath).Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('\t')).Where(r => r.Length >= 4)
            .GroupBy(r => (r[0], r[1], r[2])).ToDictionary(g => g.Key, g => g.Last()[3]);
        var first = drawn.Take(sampleSize).Select(d => labelOf.GetValueOrDefault((d.Line.Id, d.Memory.Type, d.Memory.Key))).ToList();
        Console.WriteLine($"sample precision (seed {seed}, first {first.Count} drawn): {first.Count(l => l == "correct")} correct " +
                          $"({100.0 * first.Count(l => l == "correct") / Math.Max(1, first.Count):0.0}%), {first.Count(l => l is null)} not labelled yet");
    }
}

// ---- 5. Speed: the extractor alone, one thread, warm, over both sets' lines (--speed-only SECONDS: only this, for a profiler).
Speed:
var texts = persona.Concat(prefEval).Select(l => l.Text).ToList();
foreach (var t in texts) MemoryExtractor.Extract(t);
var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
var watch = Stopwatch.StartNew();
var rounds = 0;
while (watch.ElapsedMilliseconds < speedSeconds * 1000 || rounds < 2)
{
    foreach (var t in texts) MemoryExtractor.Extract(t);
    rounds++;
}
watch.Stop();
var perSecond = rounds * texts.Count / watch.Elapsed.TotalSeconds;
var allocatedPerMessage = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)(rounds * texts.Count);
Console.WriteLine($"speed: {perSecond:0} messages/s on one thread ({1_000_000 / perSecond:0.0} µs/message, {allocatedPerMessage / 1024:0.0} KB allocated/message; {rounds} warm passes over {texts.Count} lines)");
return 0;

static string[] ReadAllLines(TextReader reader)
{
    var lines = new List<string>();
    while (reader.ReadLine() is { } line) lines.Add(line);
    return [.. lines];
}

static string Describe(IReadOnlyList<ExtractedMemory> found) =>
    string.Join(" | ", found.Select(m => $"{m.Type}:{m.Key} [{m.Category}] ={m.Value}@{m.Confidence}"));

// Plural-insensitive comparison of a key with a labelled object: every word's trailing plural 's' dropped.
static string Singular(string text) => string.Join(' ', text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries)
    .Select(w => w.Length > 3 && w.EndsWith('s') && !w.EndsWith("ss") ? w[..^1] : w));

/// <summary>
/// A label's object as a key would name it: singular, without a leading article or possessive ("the voice" is named by
/// the key `voice`, "my job" by `job`), as the issue defines keys.
/// </summary>
static string LabelObject(string text)
{
    var words = Singular(text).Split(' ');
    return words.Length > 1 && words[0] is "the" or "a" or "an" or "my" ? string.Join(' ', words[1..]) : string.Join(' ', words);
}

static bool Names(string key, string singularObject, bool verbForms = false)
{
    if ($" {Singular(key)} ".Contains($" {singularObject} ", StringComparison.Ordinal)) return true;
    if (!verbForms) return false;
    // Keys name an activity by its -ing form ("I like to drive" and "I like driving": `driving`); a label may name the verb.
    var keyWords = Singular(key).Split(' ');
    var objectWords = singularObject.Split(' ');
    for (var start = 0; start + objectWords.Length <= keyWords.Length; start++)
        if (objectWords.Select((w, i) => keyWords[start + i] == w || keyWords[start + i] == KeyCanonicalizer.Gerund(w, KeyLexicon.English)).All(x => x))
            return true;
    return false;
}

/// <summary>One letter per memory type in listings: p preference, n negative preference, f personal fact, i interest.</summary>
static string Short(string type) => type switch
{
    MemoryTypes.Preference => "p",
    MemoryTypes.NegativePreference => "n",
    MemoryTypes.PersonalInfo => "f",
    _ => "i",
};

static string? FindDataDirectory()
{
    for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir != null; dir = dir.Parent)
    {
        foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "data"), Path.Combine(dir.FullName, "..", "shared", "data") })
            if (File.Exists(Path.Combine(candidate, "personachat-facts-dev.jsonl"))) return Path.GetFullPath(candidate);
    }
    return null;
}

record Label(string Relation, string Object, string Category);
record Line(string Id, string Text, List<Label> Labels);

