using System.Globalization;
using System.Runtime.InteropServices;

namespace Flame.Sandbox.Tests.Support;

/// <summary>
/// A directory laid out like the kubelet's projected service-account volume: the files live in a timestamped
/// directory <c>..&lt;time&gt;</c>, <c>..data</c> links to it, and <c>token</c>, <c>ca.crt</c> and <c>namespace</c>
/// link through <c>..data</c>. <see cref="Rotate"/> updates it as the kubelet's atomic writer does: a new timestamped
/// directory, a <c>..data_tmp</c> link to it renamed over <c>..data</c> (one rename, so a reader sees the old files or
/// the new ones, never a mix or a missing file), then the old directory removed.
/// </summary>
public sealed class ProjectedTokenVolume : IDisposable
{
    private const string DataLink = "..data";

    private readonly string _certificateAuthorityPem;
    private readonly string _namespace;
    private string _current = "";

    public ProjectedTokenVolume(string token, string certificateAuthorityPem, string ns)
    {
        _certificateAuthorityPem = certificateAuthorityPem;
        _namespace = ns;
        Root = Directory.CreateTempSubdirectory("flame-serviceaccount-").FullName;
        try
        {
            Rotate(token);
            foreach (var file in new[] { "token", "ca.crt", "namespace" })
            {
                File.CreateSymbolicLink(Path.Combine(Root, file), Path.Combine(DataLink, file));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The volume's directory, to be mounted at <c>/var/run/secrets/kubernetes.io/serviceaccount</c>.</summary>
    public string Root { get; }

    /// <summary>Where <c>..data</c> points now.</summary>
    public string DataDirectory => new FileInfo(Path.Combine(Root, DataLink)).LinkTarget ?? "";

    /// <summary>Publishes a new token (with the same CA and namespace) in one atomic swap of <c>..data</c>.</summary>
    public void Rotate(string token)
    {
        var previous = _current;
        var stamp = DateTime.UtcNow.ToString("yyyy_MM_dd_HH_mm_ss.", CultureInfo.InvariantCulture) + Random.Shared.Next(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture);
        var directory = Directory.CreateDirectory(Path.Combine(Root, ".." + stamp)).FullName;
        File.WriteAllText(Path.Combine(directory, "token"), token);
        File.WriteAllText(Path.Combine(directory, "ca.crt"), _certificateAuthorityPem);
        File.WriteAllText(Path.Combine(directory, "namespace"), _namespace);

        var link = Path.Combine(Root, DataLink + "_tmp");
        File.CreateSymbolicLink(link, Path.GetFileName(directory));
        // rename(2) itself: File.Move follows the link to a directory and refuses it.
        if (Rename(link, Path.Combine(Root, DataLink)) != 0)
        {
            throw new IOException($"rename {link} failed: errno {Marshal.GetLastPInvokeError()}");
        }

        _current = directory;
        if (previous.Length > 0)
        {
            Directory.Delete(previous, recursive: true);
        }
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    [DllImport("libc", EntryPoint = "rename", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int Rename(string oldPath, string newPath);
}
