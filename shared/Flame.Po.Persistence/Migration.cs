using System.Security.Cryptography;
using System.Text;

namespace Flame.Po.Persistence;

/// <summary>One versioned SQL script, e.g. <c>0001_schema_base.sql</c> → version 1.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    /// <summary>
    /// SHA-256 of the script without its comment lines (those starting with <c>--</c>): a changed script that was
    /// already applied is refused at start-up, while rewording a comment is not a change. Computed on read so that a
    /// copy made with <c>with { Sql = … }</c> never carries a stale checksum.
    /// </summary>
    public string Checksum => Hash(string.Join('\n', Sql.Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal))));

    /// <summary>SHA-256 of the whole text, comments included: what releases before comment-free checksums recorded.</summary>
    public string TextChecksum => Hash(Sql);

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

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
