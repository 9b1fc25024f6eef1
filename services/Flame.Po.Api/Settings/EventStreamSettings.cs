using Flame.Po.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace Flame.Po.Api.Settings;

/// <summary>Limits of <c>GET /po/events</c>: a stream must never make the publisher wait or the Api run out of memory.</summary>
public sealed class EventStreamSettings : IValidatedSettings
{
    /// <summary>Seconds between keep-alive comments, so proxies and load balancers do not close a quiet stream.</summary>
    [ConfigurationKeyName("EVENTS_KEEPALIVE")]
    public double KeepAliveSeconds { get; set; } = 15;

    /// <summary>Events buffered per client; a client that falls further behind is disconnected.</summary>
    [ConfigurationKeyName("EVENTS_CLIENT_BUFFER")]
    public int ClientBuffer { get; set; } = 256;

    /// <summary>Streams open at the same time; one more is refused with 503.</summary>
    [ConfigurationKeyName("EVENTS_MAX_CLIENTS")]
    public int MaxClients { get; set; } = 100;

    public TimeSpan KeepAlive => TimeSpan.FromSeconds(KeepAliveSeconds);

    public IEnumerable<string> Validate()
    {
        if (double.IsNaN(KeepAliveSeconds) || KeepAliveSeconds is < 0.05 or > 3600)
        {
            yield return "EVENTS_KEEPALIVE must be between 0.05 and 3600 seconds.";
        }

        if (ClientBuffer is < 1 or > 100_000)
        {
            yield return "EVENTS_CLIENT_BUFFER must be between 1 and 100000 events.";
        }

        if (MaxClients is < 1 or > 10_000)
        {
            yield return "EVENTS_MAX_CLIENTS must be between 1 and 10000.";
        }
    }
}
