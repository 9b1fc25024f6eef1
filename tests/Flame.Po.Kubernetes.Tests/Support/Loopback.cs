using System.Net;
using System.Net.Sockets;

namespace Flame.Po.Kubernetes.Tests.Support;

/// <summary>
/// Hands out distinct 127.x.y.z addresses (all of 127.0.0.0/8 is loopback on Linux) so that tests running in
/// parallel never share an address, and every socket stays on the loopback interface.
/// </summary>
internal static class Loopback
{
    private static int s_next = (Environment.ProcessId % 200 * 256) + 1;

    public static IPAddress NextAddress()
    {
        var n = Interlocked.Increment(ref s_next);
        return new IPAddress([127, (byte)(50 + (n / 65536 % 150)), (byte)(n / 256 % 256), (byte)Math.Max(1, n % 255)]);
    }

    /// <summary>A port that is free on <paramref name="address"/> right now.</summary>
    public static int FreePort(IPAddress address)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>An HTTP client whose connections leave from <paramref name="source"/>, as a given pod would.</summary>
    public static HttpClient ClientFrom(IPAddress source)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    var target = IPAddress.Parse(context.DnsEndPoint.Host);
                    if (!IPAddress.IsLoopback(target))
                    {
                        throw new InvalidOperationException("Tests connect to loopback addresses only.");
                    }

                    await socket.ConnectAsync(new IPEndPoint(target, context.DnsEndPoint.Port), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }
}
