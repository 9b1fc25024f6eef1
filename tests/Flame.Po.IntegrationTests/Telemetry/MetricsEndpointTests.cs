using System.Net;
using Flame.Po.Host;
using Flame.Po.IntegrationTests.Support;

namespace Flame.Po.IntegrationTests.Telemetry;

/// <summary>
/// <c>GET /metrics</c> answers every target without a token, in Prometheus text, with the meters of the services the
/// target runs and not the others'. Three-process mode: <c>ThreeProcessTests.Metrics_answer_on_each_process_without_a_token</c>.
/// </summary>
public sealed class MetricsEndpointTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestPostgres.CreateDatabaseAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Theory]
    [InlineData(HostTarget.All, true, true)]
    [InlineData(HostTarget.Api, false, false)]
    [InlineData(HostTarget.Lifecycle, true, false)]
    [InlineData(HostTarget.Logging, false, true)]
    public async Task Metrics_answer_without_a_token_on_every_target(HostTarget target, bool lifecycle, bool logging)
    {
        await using var host = await RunningHost.StartAsync(target, _db.EnvironmentValues());
        await host.WaitForReadinessAsync(HttpStatusCode.OK);
        (await host.Http.GetAsync("/po/healthz")).StatusCode.Should().Be(HttpStatusCode.OK);

        using var response = await host.Http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType?.MediaType.Should().Be("text/plain");
        var metrics = PrometheusText.Parse(text);
        metrics.Names.Should().Contain(n => n.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal), "the readiness and healthz requests were measured");
        metrics.Names.Contains("flame_po_restarts_total").Should().Be(lifecycle);
        metrics.Names.Contains("flame_po_hub_delivery_failures_total").Should().Be(logging);
    }
}
