using System.Diagnostics.Metrics;
using System.Net;
using Flame.Po.Host;
using Flame.Po.IntegrationTests.Support;
using Flame.Po.ServiceDefaults.Telemetry;
using Microsoft.Extensions.DependencyInjection;

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

    [Fact]
    public async Task Each_metric_keeps_at_most_the_cardinality_limit_of_series_and_counts_the_rest_as_overflow()
    {
        await using var host = await RunningHost.StartAsync(HostTarget.All, _db.EnvironmentValues());
        await host.WaitForReadinessAsync(HttpStatusCode.OK);
        using var meter = host.Services.GetRequiredService<IMeterFactory>().Create(TelemetrySetup.Prefix + "CardinalityTest");
        var counter = meter.CreateCounter<long>("flame.po.cardinality_test");
        var distinct = TelemetrySetup.CardinalityLimit + 50;
        for (var i = 0; i < distinct; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("key", i));
        }

        var text = await host.Http.GetStringAsync("/metrics");
        var samples = PrometheusText.Parse(text).Samples.Where(s => s.Name == "flame_po_cardinality_test_total").ToList();

        // The limit bounds what the SDK allocates for each metric up front (the default of 2,000 series took about 10 MB
        // of large-object heap in an idle host); beyond it, one overflow series counts the rest.
        samples.Should().HaveCount(TelemetrySetup.CardinalityLimit + 1);
        var overflow = samples.Should().ContainSingle(s => s.Labels.ContainsKey("otel_metric_overflow")).Subject;
        samples.Sum(s => s.Value).Should().Be(distinct, "measurements beyond the limit are counted in the overflow series");
        overflow.Value.Should().Be(distinct - TelemetrySetup.CardinalityLimit);
    }
}
