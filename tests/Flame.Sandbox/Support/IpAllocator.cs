using System.Globalization;

namespace Flame.Sandbox.Support;

/// <summary>Hands out distinct addresses from a /16 (pod IPs from 10.244.0.0/16, cluster IPs from 10.96.0.0/16); they are data only.</summary>
public sealed class IpAllocator(string prefix, int first)
{
    private int _next = first;

    public string Next()
    {
        var n = Interlocked.Increment(ref _next) - 1;
        return string.Create(CultureInfo.InvariantCulture, $"{prefix}.{(n / 254) % 256}.{(n % 254) + 1}");
    }
}
