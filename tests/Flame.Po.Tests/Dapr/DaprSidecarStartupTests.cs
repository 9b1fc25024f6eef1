using System.Net;
using Flame.Po.Dapr;
using Flame.Po.Dapr.Sidecar;
using Flame.Po.Tests.Support;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Flame.Po.Tests.Dapr;

/// <summary>
/// Start-up waits for the sidecar's <c>GET /v1.0/healthz/outbound</c> (204 once components are loaded,
/// reference/dapr.md §2.8), and readiness keeps asking the same route.
/// </summary>
public sealed class DaprSidecarStartupTests : IDisposable
{
    private readonly RecordingHandler _sidecar = new();

    public void Dispose() => _sidecar.Dispose();

    [Fact]
    public async Task Start_up_polls_healthz_outbound_until_the_sidecar_answers_204()
    {
        _sidecar.Fail(new HttpRequestException("Connection refused"))
            .Respond(HttpStatusCode.InternalServerError, """{"errorCode":"ERR_HEALTH_NOT_READY","message":"dapr is not ready"}""")
            .Respond(HttpStatusCode.NoContent);

        await Waiter(waitSeconds: 30).StartAsync(CancellationToken.None);

        _sidecar.Requests.Should().HaveCount(3);
        _sidecar.Requests.Should().AllSatisfy(r =>
        {
            r.Method.Should().Be(HttpMethod.Get);
            r.Uri.ToString().Should().Be("http://127.0.0.1:3500/v1.0/healthz/outbound");
            r.Headers["dapr-api-token"].Should().Be("tok");
        });
    }

    [Fact]
    public async Task Start_up_goes_on_after_the_configured_wait_when_the_sidecar_never_comes()
    {
        for (var i = 0; i < 100; i++)
        {
            _sidecar.Fail(new HttpRequestException("Connection refused"));
        }

        var started = DateTime.UtcNow;
        await Waiter(waitSeconds: 1).StartAsync(CancellationToken.None);

        (DateTime.UtcNow - started).Should().BeCloseTo(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        _sidecar.Requests.Count.Should().BeGreaterThan(1);
    }

    [Theory]
    [InlineData(HttpStatusCode.NoContent, HealthStatus.Healthy)]
    [InlineData(HttpStatusCode.InternalServerError, HealthStatus.Unhealthy)]
    public async Task Readiness_reports_the_sidecars_answer(HttpStatusCode answer, HealthStatus expected)
    {
        _sidecar.Respond(answer);

        var result = await new DaprSidecarHealthCheck(new Clients(_sidecar)).CheckHealthAsync(new HealthCheckContext());

        result.Status.Should().Be(expected);
        _sidecar.Requests.Single().PathAndQuery.Should().Be("/v1.0/healthz/outbound");
    }

    [Fact]
    public async Task An_unreachable_sidecar_is_not_ready()
    {
        _sidecar.Fail(new HttpRequestException("Connection refused"));

        var result = await new DaprSidecarHealthCheck(new Clients(_sidecar)).CheckHealthAsync(new HealthCheckContext());

        result.Status.Should().Be(HealthStatus.Unhealthy);
        result.Description.Should().Contain("unreachable");
    }

    private DaprSidecarWaiter Waiter(int waitSeconds) => new(
        new Clients(_sidecar),
        Options.Create(new DaprSettings { HttpPort = 3500, ApiToken = "tok", SidecarWaitSeconds = waitSeconds }),
        TimeProvider.System,
        NullLogger<DaprSidecarWaiter>.Instance);

    /// <summary>The named sidecar client as DaprBuildingBlocks configures it: base address and token handler.</summary>
    private sealed class Clients(RecordingHandler sidecar) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name)
        {
            name.Should().Be(DaprBuildingBlocks.SidecarClient);
            var settings = Options.Create(new DaprSettings { HttpPort = 3500, ApiToken = "tok" });
            return new HttpClient(new DaprSidecarHandler(settings) { InnerHandler = sidecar }, disposeHandler: false) { BaseAddress = settings.Value.SidecarUri };
        }
    }
}
