using System.Net;

namespace Flame.Po.Dapr.Invocation;

/// <summary>Which listening addresses only this machine can reach.</summary>
public static class AppChannelUrls
{
    /// <summary>True for <c>http://127.0.0.1:…</c>, <c>http://[::1]:…</c>, <c>http://localhost:…</c> and Unix sockets.</summary>
    public static bool IsLoopback(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (url.StartsWith("http://unix:", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var host = Uri.TryCreate(url.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Host : string.Empty;
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }
}
