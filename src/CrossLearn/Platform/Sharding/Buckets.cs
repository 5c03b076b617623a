using System.Text;

namespace CrossLearn.Platform.Sharding;

/// <summary>
/// Users are placed in a fixed number of buckets by a hash of their id. A bucket is what lives in one shard
/// database and what a move would carry: the count never changes (changing it would move almost every user), so it is
/// set high enough for the largest pool of databases we foresee (docs/scaling.md).
/// </summary>
public static class Buckets
{
    public const int Count = 1024;

    /// <summary>The user's bucket, 0 to <see cref="Count"/> - 1: the same on every node and in every version.</summary>
    public static int Of(string userId) => (int)(Fnv1a(userId) % Count);

    /// <summary>The name a bucket goes by in the database registry (Marten's tenant id).</summary>
    public static string Name(int bucket) => $"b{bucket:0000}";

    /// <summary>
    /// FNV-1a (32 bits) of the id's UTF-8 bytes: a published hash, fixed here rather than string.GetHashCode, which
    /// .NET randomises per process.
    /// </summary>
    public static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash ^= b;
            hash *= 16777619u;
        }

        return hash;
    }
}
