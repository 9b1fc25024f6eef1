using Flame.Sandbox.Kubernetes;
using Flame.Sandbox.Support;

namespace Flame.Sandbox.Scenarios;

/// <summary>What a simulated pod needs from the node: the API, logs, time, addresses and where the PO listens.</summary>
public sealed record KubeletContext(
    ApiCore Api,
    PodLogStore Logs,
    SimClock Clock,
    IpAllocator PodIps,
    LogStreamer Streamer,
    CancellationToken Stopping)
{
    public string NodeName => "sandbox-node";

    public string HostIp => "10.0.0.10";
}
