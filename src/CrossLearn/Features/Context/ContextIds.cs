using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace CrossLearn.Features.Context;

/// <summary>One item a context carried: a memory of the user's or a piece of knowledge, at the version it was given.</summary>
/// <param name="Kind"><see cref="ContextItemKinds"/>.</param>
/// <param name="Version">The version of the item's own stream when it last changed (the user's for a memory, the knowledge stream's for knowledge).</param>
/// <param name="Arm">The experiment arm the user was in for this item (null: not under test). In the control arm the item was
/// withheld: the context names it so that the turn's rating counts for the control arm, but did not give it.</param>
/// <param name="ExperimentId">The experiment that decided the arm.</param>
public sealed record Exposure(string Kind, string Type, string Key, long Version, string? Arm = null, Guid? ExperimentId = null)
{
    /// <summary>The item's id in the API: kind, type and key (a key may hold a colon: it comes last).</summary>
    public string Id => ContextItemKinds.IdFor(Kind, Type, Key);
}

public static class ContextItemKinds
{
    public const string Memory = "memory";
    public const string Knowledge = "knowledge";
    /// <summary>"Users like you prefer...": held by the user's cluster peers (version 0: it has no stream of its own).</summary>
    public const string Recommendation = "recommendation";
    /// <summary>Knowledge of the user's cluster (version: the cluster knowledge stream's at its promotion).</summary>
    public const string ClusterKnowledge = "cluster-knowledge";

    public static string IdFor(string kind, string type, string key) => $"{kind}:{type}:{key}";
}

/// <summary>A context as it was given to the chat app: for whom, when, with which items.</summary>
public sealed record IssuedContext(string UserId, DateTimeOffset IssuedAt, IReadOnlyList<Exposure> Items);

/// <summary>What a contextId sent back with a turn comes to.</summary>
public abstract record ContextReading
{
    public sealed record Valid(IssuedContext Context) : ContextReading;

    /// <summary>Not a context this service issued (malformed, altered, or signed with another key).</summary>
    public sealed record Unknown : ContextReading;

    /// <summary>Issued for another user than the turn's.</summary>
    public sealed record Foreign : ContextReading;

    public sealed record Expired(DateTimeOffset ExpiredAt) : ContextReading;
}

/// <summary>
/// Context ids carry the context they name, signed: a node checks one sent back without storing anything when it issued
/// it and without a read when a turn comes, so fetching a context stays a pure read, and every node (sharing the signing
/// secret) accepts the ids of every other. The id is the items, owner and moment, then a truncated HMAC-SHA256 of them
/// under a key derived from the token signing secret (HKDF, its own label, so neither key can stand for the other).
/// </summary>
public sealed class ContextIds
{
    /// <summary>Longest contextId accepted: a context of a few hundred items fits many times over.</summary>
    public const int MaxLength = 65_536;

    private const byte FormatVersion = 1;
    private const int TagBytes = 16;
    private static readonly TimeSpan IssuedInFutureTolerance = TimeSpan.FromSeconds(30);

    private readonly byte[] _key;

    public ContextIds(byte[] secret, TimeSpan lifetime)
    {
        if (lifetime <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lifetime), "A context must live for some time.");
        _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, info: Encoding.UTF8.GetBytes("crosslearn context ids v1"));
        Lifetime = lifetime;
    }

    /// <summary>How long after it was given a context may be sent back with a turn.</summary>
    public TimeSpan Lifetime { get; }

    public string Issue(IssuedContext context)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(FormatVersion);
            writer.Write(context.UserId);
            writer.Write(context.IssuedAt.ToUnixTimeMilliseconds());
            writer.Write7BitEncodedInt(context.Items.Count);
            foreach (var item in context.Items)
            {
                writer.Write(item.Kind);
                writer.Write(item.Type);
                writer.Write(item.Key);
                writer.Write7BitEncodedInt64(item.Version);
                writer.Write(item.Arm ?? "");
                writer.Write((item.ExperimentId ?? Guid.Empty).ToByteArray());
            }
        }

        var payload = buffer.ToArray();
        return Base64Url.EncodeToString([.. payload, .. Tag(payload)]);
    }

    /// <summary>Reads a contextId sent back with a turn of <paramref name="userId"/> at <paramref name="now"/>.</summary>
    public ContextReading Read(string contextId, string userId, DateTimeOffset now)
    {
        if (contextId.Length is 0 or > MaxLength || !Base64Url.IsValid(contextId)) return new ContextReading.Unknown();
        var bytes = Base64Url.DecodeFromChars(contextId);
        if (bytes.Length <= TagBytes) return new ContextReading.Unknown();
        var payload = bytes.AsSpan(0, bytes.Length - TagBytes);
        if (!CryptographicOperations.FixedTimeEquals(Tag(payload), bytes.AsSpan(bytes.Length - TagBytes))) return new ContextReading.Unknown();

        // Signed by us: what follows was written by Issue, so a failure to read it means another format version.
        IssuedContext context;
        try
        {
            context = Parse(payload.ToArray());
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or ArgumentException)
        {
            return new ContextReading.Unknown();
        }

        if (context.UserId != userId) return new ContextReading.Foreign();
        if (context.IssuedAt > now + IssuedInFutureTolerance) return new ContextReading.Unknown();
        var expiresAt = context.IssuedAt + Lifetime;
        return now > expiresAt ? new ContextReading.Expired(expiresAt) : new ContextReading.Valid(context);
    }

    private static IssuedContext Parse(byte[] payload)
    {
        using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        if (reader.ReadByte() != FormatVersion) throw new FormatException("another format version");
        var userId = reader.ReadString();
        var issuedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
        var count = reader.Read7BitEncodedInt();
        var items = new List<Exposure>(Math.Min(count, 1024));
        for (var i = 0; i < count; i++)
        {
            var kind = reader.ReadString();
            var type = reader.ReadString();
            var key = reader.ReadString();
            var version = reader.Read7BitEncodedInt64();
            var arm = reader.ReadString();
            var experiment = new Guid(reader.ReadBytes(16));
            items.Add(new Exposure(kind, type, key, version, arm.Length == 0 ? null : arm, experiment == Guid.Empty ? null : experiment));
        }

        if (reader.BaseStream.Position != payload.Length) throw new FormatException("trailing bytes");
        return new IssuedContext(userId, issuedAt, items);
    }

    private byte[] Tag(ReadOnlySpan<byte> payload) => HMACSHA256.HashData(_key, payload)[..TagBytes];
}
