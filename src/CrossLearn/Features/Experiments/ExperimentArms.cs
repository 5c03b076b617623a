using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace CrossLearn.Features.Experiments;

/// <summary>
/// Which arm a user is in: a stable hash of (experiment, user), so a user stays in their arm on every node and after
/// every restart, and the arms of two experiments are independent of each other.
/// </summary>
public static class ExperimentArms
{
    public const string Treatment = "treatment";
    public const string Control = "control";

    public static string Of(string experimentId, string userId, double treatmentShare) =>
        Position(experimentId, userId) < treatmentShare ? Treatment : Control;

    /// <summary>Where the user falls in [0, 1) for this experiment: uniform, from the first 8 bytes of a SHA-256.</summary>
    public static double Position(string experimentId, string userId)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{experimentId}\u001f{userId}"), hash);
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) / (double)(1UL << 53);
    }
}
