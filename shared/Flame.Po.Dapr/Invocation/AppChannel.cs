using System.Security.Cryptography;

namespace Flame.Po.Dapr.Invocation;

/// <summary>
/// How this app's internal routes, subscriptions and bindings are reached, decided once at start-up.
/// <list type="bullet">
/// <item><b>Sidecar</b> (Dapr mode): daprd calls the app on its port and, when <c>APP_API_TOKEN</c> is set,
/// sends it as <c>dapr-api-token</c>; without a token the app may only listen on loopback.</item>
/// <item><b>Local</b> (<c>--target all</c>): the host calls itself on a Unix socket that only it knows, with a
/// token made for this process; on the public port those routes do not exist for anybody.</item>
/// </list>
/// See docs/architecture.md ("Calls between the services").
/// </summary>
public sealed class AppChannel
{
    /// <summary>The authorization policy every route of the channel requires.</summary>
    public const string Policy = "app-channel";

    /// <summary>The header daprd (and the local channel) carry the app token in.</summary>
    public const string TokenHeader = "dapr-api-token";

    private AppChannel(bool local, string? token, string? socketPath)
    {
        IsLocal = local;
        Token = token;
        SocketPath = socketPath;
    }

    /// <summary>True for the host's own Unix-socket channel (<c>--target all</c>).</summary>
    public bool IsLocal { get; }

    /// <summary>The token callers must present; null only for a sidecar channel on loopback without <c>APP_API_TOKEN</c>.</summary>
    public string? Token { get; }

    /// <summary>The Unix socket of the local channel.</summary>
    public string? SocketPath { get; }

    /// <summary>Kestrel's address for the local channel.</summary>
    public string? ListenUrl => SocketPath is null ? null : "http://unix:" + SocketPath;

    public static AppChannel Sidecar(string? appToken) => new(false, string.IsNullOrEmpty(appToken) ? null : appToken, null);

    /// <summary>A fresh socket path and token for this process; nothing about them is predictable from outside.</summary>
    public static AppChannel Local()
    {
        var name = $"flame-po-{Environment.ProcessId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.sock";
        return new AppChannel(true, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), Path.Combine(Path.GetTempPath(), name));
    }
}
