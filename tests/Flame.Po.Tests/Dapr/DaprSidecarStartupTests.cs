using System.Collections.Concurrent;
using System.Net;
using Dapr.Client;
using Flame.Po.Dapr.Sidecar;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Flame.Po.Tests.Dapr;

/// <summary>
/// Start-up waits for the sidecar's <c>GET /v1.0/healthz/outbound</c> (204 once components are loaded,
/// Dapr docs, Health API reference), and readiness keeps asking the same route.
/// </summary>
public sealed class DaprSidecarStartupTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<HttpStatusCode> _answers = new();
    private readonly ConcurrentQueue<(string Method, string Path, string? Token)> _requests = new();
    private WebApplication _sidecar = null!;

    private int Port => new Uri(_sidecar.Urls.First()).Port;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _sidecar = builder.Build();
        _sidecar.Map("/{**path}", (HttpContext context) =>
        {
            _requests.Enqueue((context.Request.Method, context.Request.Path + context.Request.QueryString, context.Request.Headers["dapr-api-token"].FirstOrDefault()));
            return Results.StatusCode((int)(_answers.TryDequeue(out var answer) ? answer : HttpStatusCode.NoContent));
        });
        await _sidecar.StartAsync();
    }

    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    [Fact]
    public async Task Start_up_polls_healthz_outbound_until_the_sidecar_answers_204()
    {
        _answers.Enqueue(HttpStatusCode.InternalServerError);
        _answers.Enqueue(HttpStatusCode.InternalServerError);
        _answers.Enqueue(HttpStatusCode.NoContent);

        await Waiter(Port, waitSeconds: 30).StartAsync(CancellationToken.None);

        _requests.Should().HaveCount(3);
        _requests.Should().AllSatisfy(r =>
        {
            r.Method.Should().Be("GET");
            r.Path.Should().Be("/v1.0/healthz/outbound");
            r.Token.Should().Be("tok");
        });
    }

    [Fact]
    public async Task Start_up_goes_on_after_the_configured_wait_when_the_sidecar_never_comes()
    {
        var started = DateTime.UtcNow;
        await Waiter(FreePort(), waitSeconds: 1).StartAsync(CancellationToken.None);

        (DateTime.UtcNow - started).Should().BeCloseTo(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
    }

    [Theory]
    [InlineData(HttpStatusCode.NoContent, HealthStatus.Healthy)]
    [InlineData(HttpStatusCode.InternalServerError, HealthStatus.Unhealthy)]
    public async Task Readiness_reports_the_sidecars_answer(HttpStatusCode answer, HealthStatus expected)
    {
        _answers.Enqueue(answer);

        var result = await new DaprSidecarHealthCheck(Client(Port)).CheckHealthAsync(new HealthCheckContext());

        result.Status.Should().Be(expected);
        _requests.Single().Path.Should().Be("/v1.0/healthz/outbound");
    }

    [Fact]
    public async Task An_unreachable_sidecar_is_not_ready()
    {
        var result = await new DaprSidecarHealthCheck(Client(FreePort())).CheckHealthAsync(new HealthCheckContext());

        result.Status.Should().Be(HealthStatus.Unhealthy);
        result.Description.Should().Contain("unreachable");
    }

    private static DaprSidecarWaiter Waiter(int port, int waitSeconds) => new(
        Client(port),
        Options.Create(new DaprSettings { HttpPort = port, ApiToken = "tok", SidecarWaitSeconds = waitSeconds }),
        NullLogger<DaprSidecarWaiter>.Instance);

    /// <summary>The SDK's client as DaprBuildingBlocks configures it: the sidecar's HTTP endpoint and the API token.</summary>
    private static DaprClient Client(int port) => new DaprClientBuilder()
        .UseHttpEndpoint($"http://127.0.0.1:{port}")
        .UseGrpcEndpoint("http://127.0.0.1:50001")
        .UseDaprApiToken("tok")
        .Build();

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
