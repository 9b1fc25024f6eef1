using System.Net.Sockets;
using Flame.Po.Dapr.Invocation;

namespace Flame.Po.IntegrationTests.Support;

/// <summary>An HTTP client on a host's local app channel (its private Unix socket), with or without its token.</summary>
public static class AppChannelHttp
{
    public static HttpClient Create(AppChannel channel, bool withToken = true)
    {
        var path = channel.SocketPath ?? throw new InvalidOperationException("The host has no local app channel (Dapr mode).");
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost/") };
        if (withToken)
        {
            http.DefaultRequestHeaders.Add(AppChannel.TokenHeader, channel.Token);
        }

        return http;
    }
}
