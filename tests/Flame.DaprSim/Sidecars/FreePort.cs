using System.Net;
using System.Net.Sockets;

namespace Flame.DaprSim.Sidecars;

/// <summary>A free loopback port, for ports given as 0 (both ports of a sidecar must be known before its server starts).</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
