using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace CrossLearn.Features.Clusters;

/// <summary>How a clustering run groups users (configuration section <c>Clusters</c>); docs/learning.md explains it.</summary>
public sealed record ClusteringParameters
{
    /// <summary>The numbers of clusters tried: every one from <see cref="MinClusters"/> to <see cref="MaxClusters"/>.</summary>
    public int MinClusters { get; set; } = 2;
    public int MaxClusters { get; set; } = 12;

    /// <summary>A token (a taught key or category) counts only when at least this many users hold it: one user's alone says nothing about likeness.</summary>
    public int MinTokenUsers { get; set; } = 2;

    /// <summary>At most this many tokens, the most widely held (the vector's dimension).</summary>
    public int MaxTokens { get; set; } = 5_000;

    /// <summary>The number of clusters is chosen on at most this many users (drawn by the seed); the chosen one is then fit on all.</summary>
    public int SelectionSample { get; set; } = 2_000;

    /// <summary>The centroids of the chosen number are fit on at most this many users (drawn by the seed); every user then joins the nearest.</summary>
    public int FitSample { get; set; } = 20_000;

    /// <summary>k-means from this many seedings, the tightest kept (k-means++ alone can still start two centroids in one group).</summary>
    public int Restarts { get; set; } = 5;

    public int Seed { get; set; } = 1;

    /// <summary>
    /// No cluster smaller than this: a number of clusters whose sample labelling has a smaller one (scaled to the sample)
    /// is not chosen, and users left in a smaller one by the final fit join the nearest of the others. Users whose taught
    /// sets are exact copies are "perfect" clusters to the silhouette, which otherwise splits off every distinct set,
    /// down to one user; and a cluster under the recommendations' k (5) can recommend nothing.
    /// </summary>
    public int MinClusterSize { get; set; } = 5;

    public const string Algorithm = "ml.net-kmeans++/silhouette";
}

/// <summary>One clustering: each clustered user's label (0-based, as numbered by this run), and how k was chosen.</summary>
public sealed record ClusteringOutcome(int Clusters, IReadOnlyDictionary<string, int> Labels, IReadOnlyList<ClusterCount> Tried, int Tokens);

/// <summary>A number of clusters tried, and its mean silhouette on the selection sample (-1..1; higher: users nearer their own cluster than the next).</summary>
/// <param name="SmallestCluster">The smallest cluster of the sample's labelling (0 in runs recorded before it was kept).</param>
public sealed record ClusterCount(int Clusters, double Silhouette, int SmallestCluster = 0);

/// <summary>
/// Groups users by what they taught with ML.NET's k-means (k-means++ seeding) over each user's tokens as an
/// L2-normalised binary vector (so distances compare the share of what two users taught, not how much each taught).
/// The number of clusters is the one, among those tried, with the highest mean silhouette on a sample: for each user,
/// (b - a) / max(a, b), where a is their mean distance to their own cluster and b to the nearest other one. It needs
/// no labels, and drops both when a real group is split (b small) and when two are merged (a large). The Davies-Bouldin
/// index that ML.NET computes was tried first and chose 6 clusters for 8 well-separated planted groups (sparse vectors
/// spread widely within a group), where the silhouette finds 8. Users who hold no counted token are not clustered.
/// Pure: same users, tokens and seed give the same labels.
/// </summary>
public static class Clustering
{
    private sealed class Row
    {
        public VBuffer<float> Features { get; set; }
    }

    private sealed class Assigned
    {
        public uint PredictedLabel { get; set; }
    }

    public static ClusteringOutcome Run(IReadOnlyDictionary<string, IReadOnlySet<string>> tokensByUser, ClusteringParameters parameters)
    {
        var vocabulary = tokensByUser.Values.SelectMany(t => t).GroupBy(t => t, StringComparer.Ordinal)
            .Select(g => (Token: g.Key, Users: g.Count())).Where(t => t.Users >= parameters.MinTokenUsers)
            .OrderByDescending(t => t.Users).ThenBy(t => t.Token, StringComparer.Ordinal).Take(parameters.MaxTokens)
            .Select((t, i) => (t.Token, Index: i)).ToDictionary(t => t.Token, t => t.Index, StringComparer.Ordinal);

        var users = new List<string>();
        var rows = new List<Row>();
        foreach (var (user, tokens) in tokensByUser.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            var indices = tokens.Where(vocabulary.ContainsKey).Select(t => vocabulary[t]).Order().ToArray();
            if (indices.Length == 0) continue;
            var value = (float)(1 / Math.Sqrt(indices.Length));
            users.Add(user);
            rows.Add(new Row { Features = new VBuffer<float>(vocabulary.Count, indices.Length, Enumerable.Repeat(value, indices.Length).ToArray(), indices) });
        }

        // k-means cannot place more centroids than there are distinct users (users who taught the same are one point).
        var distinct = rows.Select(r => string.Join(',', r.Features.GetIndices().ToArray())).Distinct().Count();
        var most = Math.Min(parameters.MaxClusters, distinct);
        if (most < 2 || most < parameters.MinClusters)
            return new ClusteringOutcome(users.Count > 0 ? 1 : 0, users.ToDictionary(u => u, _ => 0), [], vocabulary.Count);

        var ml = new MLContext(parameters.Seed);
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, vocabulary.Count);
        var random = new Random(parameters.Seed);
        var sample = rows.Count <= parameters.SelectionSample ? rows
            : rows.Select(r => (Row: r, Order: random.Next())).OrderBy(r => r.Order).Take(parameters.SelectionSample).Select(r => r.Row).ToList();
        var sampleData = ml.Data.LoadFromEnumerable(sample, schema);

        var distances = Distances(sample);
        var tried = new List<ClusterCount>();
        var distinctInSample = sample.Select(r => string.Join(',', r.Features.GetIndices().ToArray())).Distinct().Count();
        var floor = Math.Max(1, (int)Math.Ceiling(parameters.MinClusterSize * (double)sample.Count / rows.Count));
        for (var k = Math.Max(2, parameters.MinClusters); k <= Math.Min(most, Math.Min(distinctInSample, sample.Count - 1)); k++)
        {
            var sampleLabels = ml.Data.CreateEnumerable<Assigned>(Tightest(ml, sampleData, k, parameters).Scored, reuseRowObject: false)
                .Select(a => (int)a.PredictedLabel - 1).ToArray();
            tried.Add(new ClusterCount(k, Silhouette(distances, sampleLabels), sampleLabels.CountBy(l => l).Min(c => c.Value)));
        }

        // Too few users to split into clusters of the least size: one cluster.
        var admissible = tried.Where(t => t.SmallestCluster >= floor).ToList();
        if (admissible.Count == 0) return new ClusteringOutcome(1, users.ToDictionary(u => u, _ => 0), tried, vocabulary.Count);
        var chosen = admissible.OrderByDescending(t => t.Silhouette).ThenBy(t => t.Clusters).First().Clusters;
        // The centroids are fit on a larger sample (several seedings of all users cost more and, at 100,000 users, still
        // ended in a worse optimum: docs/benchmarks.md), then every user goes to the nearest.
        var fitRows = rows.Count <= parameters.FitSample ? rows
            : rows.Select(r => (Row: r, Order: random.Next())).OrderBy(r => r.Order).Take(parameters.FitSample).Select(r => r.Row).ToList();
        var model = Tightest(ml, ml.Data.LoadFromEnumerable(fitRows, schema), chosen, parameters).Model;
        var all = ml.Data.LoadFromEnumerable(rows, schema);
        var assigned = ml.Data.CreateEnumerable<Assigned>(model.Transform(all), reuseRowObject: false)
            .Select(a => (int)a.PredictedLabel - 1).ToList();
        JoinTooSmall(rows, assigned, vocabulary.Count, parameters.MinClusterSize);
        // Renumbered by first appearance in user order, so the labels do not depend on ML.NET's internal numbering.
        var renumbered = new Dictionary<int, int>();
        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < users.Count; i++)
        {
            if (!renumbered.TryGetValue(assigned[i], out var label)) renumbered[assigned[i]] = label = renumbered.Count;
            labels[users[i]] = label;
        }

        return new ClusteringOutcome(renumbered.Count, labels, tried, vocabulary.Count);
    }

    /// <summary>Users of clusters under <paramref name="minSize"/> join the nearest centroid (members' mean) of the others, if any is large enough.</summary>
    private static void JoinTooSmall(IReadOnlyList<Row> rows, List<int> labels, int dimensions, int minSize)
    {
        var sizes = labels.CountBy(l => l).ToDictionary(c => c.Key, c => c.Value);
        var large = sizes.Where(c => c.Value >= minSize).Select(c => c.Key).Order().ToList();
        if (large.Count == 0 || large.Count == sizes.Count) return;
        var centroids = large.ToDictionary(l => l, _ => new double[dimensions]);
        for (var i = 0; i < rows.Count; i++)
        {
            if (!centroids.TryGetValue(labels[i], out var centroid)) continue;
            ReadOnlySpan<int> indices = rows[i].Features.GetIndices();
            ReadOnlySpan<float> values = rows[i].Features.GetValues();
            for (var x = 0; x < indices.Length; x++) centroid[indices[x]] += values[x] / sizes[labels[i]];
        }

        // |row - c|^2 = 1 - 2 row.c + |c|^2 for a unit row: the nearest has the least |c|^2 - 2 row.c.
        var squares = centroids.ToDictionary(c => c.Key, c => c.Value.Sum(v => v * v));
        for (var i = 0; i < rows.Count; i++)
        {
            if (centroids.ContainsKey(labels[i])) continue;
            ReadOnlySpan<int> indices = rows[i].Features.GetIndices();
            ReadOnlySpan<float> values = rows[i].Features.GetValues();
            var (best, least) = (large[0], double.MaxValue);
            foreach (var label in large)
            {
                double dot = 0;
                for (var x = 0; x < indices.Length; x++) dot += values[x] * centroids[label][indices[x]];
                var distance = squares[label] - 2 * dot;
                if (distance < least) (best, least) = (label, distance);
            }

            labels[i] = best;
        }
    }

    /// <summary>Euclidean distances between every two rows (unit vectors: the square root of 2 - 2 cos).</summary>
    private static float[,] Distances(IReadOnlyList<Row> rows)
    {
        var n = rows.Count;
        var distances = new float[n, n];
        for (var i = 0; i < n; i++)
        for (var j = i + 1; j < n; j++)
            distances[i, j] = distances[j, i] = (float)Math.Sqrt(Math.Max(0, 2 - 2 * Dot(rows[i].Features, rows[j].Features)));
        return distances;
    }

    private static double Dot(VBuffer<float> a, VBuffer<float> b)
    {
        ReadOnlySpan<int> ai = a.GetIndices(), bi = b.GetIndices();
        ReadOnlySpan<float> av = a.GetValues(), bv = b.GetValues();
        double dot = 0;
        for (int x = 0, y = 0; x < ai.Length && y < bi.Length;)
            if (ai[x] == bi[y]) dot += av[x++] * bv[y++];
            else if (ai[x] < bi[y]) x++;
            else y++;
        return dot;
    }

    /// <summary>The mean silhouette of a labelling (a user alone in their cluster counts 0).</summary>
    public static double Silhouette(float[,] distances, IReadOnlyList<int> labels)
    {
        var n = labels.Count;
        var clusters = labels.Max() + 1;
        var sizes = new int[clusters];
        foreach (var label in labels) sizes[label]++;
        var sums = new double[clusters];
        double total = 0;
        for (var i = 0; i < n; i++)
        {
            Array.Clear(sums);
            for (var j = 0; j < n; j++)
                if (j != i) sums[labels[j]] += distances[i, j];
            var own = labels[i];
            if (sizes[own] < 2) continue;
            var a = sums[own] / (sizes[own] - 1);
            var b = double.MaxValue;
            for (var c = 0; c < clusters; c++)
                if (c != own && sizes[c] > 0) b = Math.Min(b, sums[c] / sizes[c]);
            if (b == double.MaxValue) continue;
            total += (b - a) / Math.Max(a, b);
        }

        return total / n;
    }

    /// <summary>The fit, of <see cref="ClusteringParameters.Restarts"/> seedings, with the least mean distance to its centroids.</summary>
    private static (IDataView Scored, ClusteringMetrics Metrics, ITransformer Model) Tightest(MLContext ml, IDataView data, int clusters, ClusteringParameters parameters)
    {
        (IDataView Scored, ClusteringMetrics Metrics, ITransformer Model)? best = null;
        for (var restart = 0; restart < Math.Max(1, parameters.Restarts); restart++)
        {
            var seeded = new MLContext(parameters.Seed * 1000 + restart);
            var model = Trainer(seeded, clusters).Fit(data);
            var scored = model.Transform(data);
            var metrics = ml.Clustering.Evaluate(scored, featureColumnName: nameof(Row.Features));
            if (best == null || metrics.AverageDistance < best.Value.Metrics.AverageDistance) best = (scored, metrics, model);
        }

        return best!.Value;
    }

    private static KMeansTrainer Trainer(MLContext ml, int clusters) => ml.Clustering.Trainers.KMeans(new KMeansTrainer.Options
    {
        FeatureColumnName = nameof(Row.Features),
        NumberOfClusters = clusters,
        InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
        // One thread: the run is deterministic for a seed (and leaves the other core to the service's requests).
        NumberOfThreads = 1
    });
}
