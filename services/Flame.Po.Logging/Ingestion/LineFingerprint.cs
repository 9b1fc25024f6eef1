using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Flame.Po.Core.Contracts;

namespace Flame.Po.Logging.Ingestion;

/// <summary>A hash of everything a line carries, so a retry can be recognised without storing or comparing the text.</summary>
public static class LineFingerprint
{
    public static byte[] Of(StreamLogCommand line)
    {
        ArgumentNullException.ThrowIfNull(line);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in new[] { line.Log, line.LogType, line.Status })
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BinaryPrimitives.WriteInt32LittleEndian(length, bytes.Length);
            hash.AppendData(length);
            hash.AppendData(bytes);
        }

        BinaryPrimitives.WriteInt32LittleEndian(length, line.Progress ?? -1);
        hash.AppendData(length);
        return hash.GetHashAndReset()[..16];
    }
}
