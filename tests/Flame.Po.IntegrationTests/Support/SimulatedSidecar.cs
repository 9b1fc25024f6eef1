using System.Globalization;
using Flame.DaprSim;
using Flame.DaprSim.Sidecars;
using FreePort = Flame.Po.IntegrationTests.Support.FreePort;

namespace Flame.Po.IntegrationTests.Support;

/// <summary>
/// One simulated Dapr sidecar (tests/Flame.DaprSim) for a host under test on a port chosen here, loading the
/// repository's components (without the status-loop cron when a test ticks by hand).
/// </summary>
public sealed class SimulatedSidecar : IAsyncDisposable
{
    private readonly string _resources;

    private SimulatedSidecar(DaprSimulator sim, int appPort, string resources)
    {
        Sim = sim;
        AppPort = appPort;
        _resources = resources;
    }

    public DaprSimulator Sim { get; }

    public int AppPort { get; }

    public static async Task<SimulatedSidecar> StartAsync(string appId = "lifecycle", bool cron = true, string? appToken = null)
    {
        var resources = ComponentsCopy.Create((name, text) => cron || name != "status-loop.yaml" ? text : null);
        var appPort = FreePort.Next();
        var sim = await DaprSimulator.StartAsync(new DaprSimOptions
        {
            ResourcesPaths = [resources],
            Sidecars = [new SidecarOptions { AppId = appId, AppPort = appPort, AppToken = appToken }],
            RedeliveryDelay = TimeSpan.FromMilliseconds(100),
            RedeliveryMaxDelay = TimeSpan.FromSeconds(1),
            AppProbeInterval = TimeSpan.FromMilliseconds(100),
            SubscribeRetryInterval = TimeSpan.FromMilliseconds(200),
        });
        return new SimulatedSidecar(sim, appPort, resources);
    }

    /// <summary>Where the host listens and how it finds its sidecar.</summary>
    public Dictionary<string, string?> HostSettings(IDictionary<string, string?> settings)
    {
        var sidecar = Sim.Sidecars[0];
        return new Dictionary<string, string?>(settings)
        {
            ["urls"] = $"http://127.0.0.1:{AppPort}",
            ["DAPR_HTTP_PORT"] = sidecar.HttpPort.ToString(CultureInfo.InvariantCulture),
            ["DAPR_GRPC_PORT"] = sidecar.GrpcPort.ToString(CultureInfo.InvariantCulture),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await Sim.DisposeAsync();
        Directory.Delete(_resources, recursive: true);
    }
}
