using System.Security.Cryptography;

namespace Flame.Po.Dapr.Invocation;

/// <summary>
/// How this app's internal routes, subscriptions and bindings are reached, decided once at start-up.
/// <list type="bullet">
/// <item><b>Sidecar</b> (Dapr mode): daprd calls the app on its port and, when <c>APP_API_TOKEN</c> is set,
/// sends it as <c>dapr-api-token</c>; without a token the app may only listen on loopback.</item>
/// <item><b>Local</b> (<c>--target all</c>): the host calls itself in memory (<see cref="LocalChannel"/>: the request
/// goes through the host's own middleware and endpoints, no socket), with a token made for this process; on the
/// public port those routes are refused to everybody.</item>
/// </list>
/// See docs/architecture.md ("Calls between the services").
/// </summary>
public sealed class AppChannel
{
    /// <summary>The authorization policy every route of the channel requires.</summary>
    public const string Policy = "app-channel";

    /// <summary>The header daprd (and the local channel) carry the app token in.</summary>
    public const string TokenHeader = "dapr-api-token";

    private AppChannel(bool local, string? token)
    {
        IsLocal = local;
        Token = token;
    }

    /// <summary>True for the host's own in-memory channel (<c>--target all</c>).</summary>
    public bool IsLocal { get; }

    /// <summary>The token callers must present; null only for a sidecar channel on loopback without <c>APP_API_TOKEN</c>.</summary>
    public string? Token { get; }

    public static AppChannel Sidecar(string? appToken) => new(false, string.IsNullOrEmpty(appToken) ? null : appToken);

    /// <summary>A channel with a fresh token for this process; nothing about it is predictable from outside.</summary>
    public static AppChannel Local() => new(true, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
}
