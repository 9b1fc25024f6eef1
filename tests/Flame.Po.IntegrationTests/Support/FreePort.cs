using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Flame.Po.IntegrationTests.Support;

/// <summary>
/// A port for a process a test starts later (a host, a simulated sidecar, a private PostgreSQL). Chosen below the
/// kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768–60999 by default), from which outgoing connections
/// take their source ports, so the port is not taken between this check and the bind; never handed out twice in
/// this process.
/// </summary>
public static class FreePort
{
    private const int First = 20000;
    private const int Last = 32000;
    private static readonly ConcurrentDictionary<int, bool> HandedOut = new();

    public static int Next()
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(First, Last);
            if (!HandedOut.TryAdd(port, true))
            {
                continue;
            }

            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use by someone else: try another.
            }
        }

        throw new InvalidOperationException($"No free port between {First} and {Last}.");
    }
}
