using System.Security.Cryptography;
using System.Text;

namespace Flame.Po.Persistence;

/// <summary>One versioned SQL script, e.g. <c>0001_schema_base.sql</c> → version 1.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>SHA-256 of the script; a changed script that was already applied is refused at start-up.
    /// Computed on read so that a copy made with <c>with { Sql = … }</c> never carries a stale checksum.</summary>
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));

    /// <summary>Parses <c>NNNN_name.sql</c>; returns null for names that do not follow the pattern.</summary>
    public static Migration? FromFileName(string fileName, string sql)
    {
        var underscore = fileName.IndexOf('_', StringComparison.Ordinal);
        if (underscore <= 0 || !fileName.EndsWith(".sql", StringComparison.Ordinal)
            || !int.TryParse(fileName.AsSpan(0, underscore), out var version) || version <= 0)
        {
            return null;
        }

        return new Migration(version, fileName[(underscore + 1)..^4], sql);
    }
}
