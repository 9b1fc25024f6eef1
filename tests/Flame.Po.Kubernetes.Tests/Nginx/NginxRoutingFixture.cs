using System.Net;

using Flame.Po.Kubernetes.Tests.Support;
using Flame.Po.Lifecycle.Workloads;
using Flame.Po.Lifecycle.Workloads.Nginx;

namespace Flame.Po.Kubernetes.Tests.Nginx;

/// <summary>
/// Real nginx on a rendered config, with echo servers as the six upstreams and distinct loopback addresses
/// playing the analysis, message-broker, PO and an unrelated pod.
/// </summary>
public sealed class NginxRoutingFixture : IAsyncLifetime
{
    public const string AnalysisId = "3f2b8c1e-6d4a-4e8b-9c7d-1a2b3c4d5e6f";
    public const string OtherAnalysisId = "3f2b8c1e-6d4a-4e8b-9c7d-1a2b3c4d5e60";
    public const string ProjectId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
    public const string OtherProjectId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c60";

    private EchoUpstreams? _upstreams;
    private NginxProcess? _nginx;
    private readonly Dictionary<Source, HttpClient> _clients = [];

    public IPEndPoint Listen { get; private set; } = new(IPAddress.Loopback, 0);

    public IReadOnlyDictionary<Source, IPAddress> Addresses { get; } = Enum.GetValues<Source>().ToDictionary(s => s, _ => Loopback.NextAddress());

    public HttpClient ClientFrom(Source source) => _clients[source];

    public Uri Url(string path) => new($"http://{Listen.Address}:{Listen.Port}{path}");

    public async Task InitializeAsync()
    {
        var names = WorkloadNames.For(AnalysisId, 1);
        _upstreams = await EchoUpstreams.StartAsync(["kong", "storage", "hub-adapter", "message-broker", "po", "analysis"]);
        UpstreamService Upstream(string echoName, string host) => new(host, _upstreams.Endpoints[echoName].Port);
        var services = new NodeServices(
            Upstream("kong", "kong-proxy"),
            Upstream("storage", "flame-storage-service"),
            Upstream("hub-adapter", "flame-hub-adapter-service"),
            Upstream("message-broker", "flame-message-broker"),
            Upstream("po", "flame-po-service"));
        var request = new NginxConfigRequest(
            AnalysisId,
            ProjectId,
            Upstream("analysis", names.Deployment),
            services,
            new NginxSourceAddresses([Addresses[Source.Analysis]], [Addresses[Source.MessageBroker]], [Addresses[Source.PodOrchestrator]]));
        var hosts = new Dictionary<string, IPAddress>
        {
            ["kong-proxy"] = _upstreams.Endpoints["kong"].Address,
            ["flame-storage-service"] = _upstreams.Endpoints["storage"].Address,
            ["flame-hub-adapter-service"] = _upstreams.Endpoints["hub-adapter"].Address,
            ["flame-message-broker"] = _upstreams.Endpoints["message-broker"].Address,
            ["flame-po-service"] = _upstreams.Endpoints["po"].Address,
            [names.Deployment] = _upstreams.Endpoints["analysis"].Address,
        };
        var listenAddress = Loopback.NextAddress();
        var listen = new IPEndPoint(listenAddress, Loopback.FreePort(listenAddress));
        _nginx = await NginxProcess.StartAsync(
            prefix => NginxConfigRenderer.Render(request, new NginxRenderOptions { ListenAddress = listen.Address, ListenPort = listen.Port, WritableDirectory = prefix }),
            hosts,
            listen);
        Listen = listen;
        foreach (var (source, address) in Addresses)
        {
            _clients[source] = Loopback.ClientFrom(address);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        if (_nginx is not null)
        {
            await _nginx.DisposeAsync();
        }

        if (_upstreams is not null)
        {
            await _upstreams.DisposeAsync();
        }
    }
}

public enum Source
{
    Analysis,
    MessageBroker,
    PodOrchestrator,
    OtherPod,
}
