using System.Net;
using Flame.Po.Host;
using Flame.Po.IntegrationTests.Api;
using Flame.Po.IntegrationTests.Support;
using Flame.Sandbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace Flame.Po.IntegrationTests.Host;

/// <summary>The api owns no data: as a Dapr app it starts, serves and is ready without any PostgreSQL setting.</summary>
public sealed class ApiWithoutDatabaseTests : IAsyncLifetime
{
    private SandboxServer _sandbox = null!;
    private SimulatedSidecar _sidecar = null!;

    public async Task InitializeAsync()
    {
        _sandbox = await SandboxServer.StartAsync(new SandboxOptions());
        _sidecar = await SimulatedSidecar.StartAsync(appId: "api");
    }

    public async Task DisposeAsync()
    {
        await _sidecar.DisposeAsync();
        await _sandbox.DisposeAsync();
    }

    [Fact]
    public async Task The_api_target_is_ready_and_serves_without_any_postgres_setting()
    {
        var settings = _sidecar.HostSettings(new Dictionary<string, string?> { ["KEYCLOAK_URL"] = _sandbox.KeycloakBaseUrl });
        await using var host = await RunningHost.StartAsync(HostTarget.Api, settings, builder =>
        {
            // The test process exports POSTGRES_* for the other tests: none of them may reach this host.
            foreach (var source in builder.Configuration.Sources.OfType<EnvironmentVariablesConfigurationSource>().ToList())
            {
                builder.Configuration.Sources.Remove(source);
            }

            builder.Configuration.AsEnumerable().Where(p => p.Key.StartsWith("POSTGRES_", StringComparison.Ordinal)).Should().BeEmpty();
        });

        var body = await host.WaitForReadinessAsync(HttpStatusCode.OK);
        using var liveness = await host.Http.GetAsync("/po/healthz");
        using var anonymous = await host.Http.GetAsync("/po/status");
        await using var stream = await EventStreamReader.OpenAsync(host.Http, _sandbox.Tokens.Management());

        body.GetProperty("status").GetString().Should().Be("ready");
        body.GetProperty("checks").TryGetProperty("database", out _).Should().BeFalse("the api checks no database");
        liveness.StatusCode.Should().Be(HttpStatusCode.OK);
        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the /po routes are served and ask for a token");
        stream.Response.StatusCode.Should().Be(HttpStatusCode.OK);
        await stream.WaitForCommentAsync("connected", TimeSpan.FromSeconds(10));
    }
}
