using System.Net;
using System.Text.Json;
using Flame.Po.Host;
using Flame.Po.IntegrationTests.Support;
using Flame.Po.Persistence;

namespace Flame.Po.IntegrationTests.Host;

public sealed class HostHttpTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestPostgres.CreateDatabaseAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Liveness_answers_ok_without_authentication()
    {
        await using var host = await RunningHost.StartAsync(HostTarget.All, _db.EnvironmentValues());

        using var response = await host.Http.GetAsync("/po/healthz");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await response.Content.ReadAsStringAsync()).Should().Be("""{"status":"ok"}""");
    }

    [Fact]
    public async Task Readiness_reports_database_and_status_loop_for_the_whole()
    {
        await using var host = await RunningHost.StartAsync(HostTarget.All, _db.EnvironmentValues());

        var body = await host.WaitForReadinessAsync(HttpStatusCode.OK);

        body.GetProperty("status").GetString().Should().Be("ready");
        body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString().Should().Be("ok");
        body.GetProperty("checks").GetProperty("status_loop").GetProperty("status").GetString().Should().Be("ok");
        (await _db.CountAsync("SELECT count(*) FROM schema_migrations")).Should().Be(MigrationCatalog.Embedded.Count);
    }

    [Fact]
    public async Task Readiness_waits_for_the_event_listener_and_follows_it_when_its_connection_is_lost()
    {
        const string listeners = $"FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN {Flame.Po.Dapr.Embedded.FanOutListener.Channel}'";
        await using var host = await RunningHost.StartAsync(HostTarget.All, _db.EnvironmentValues());

        var ready = await host.WaitForReadinessAsync(HttpStatusCode.OK);
        ready.GetProperty("checks").GetProperty("event_fan_out").GetProperty("status").GetString().Should().Be("ok");
        (await _db.CountAsync($"SELECT count(*) {listeners}")).Should().Be(1, "a ready host listens for the events every replica streams");

        // The listening connection is cut: until the host listens again it would miss events, so it is not ready.
        (await _db.CountAsync($"SELECT count(*) FROM (SELECT pg_terminate_backend(pid) {listeners}) AS cut")).Should().Be(1);
        var lost = await host.WaitForReadinessAsync(HttpStatusCode.ServiceUnavailable);
        lost.GetProperty("checks").GetProperty("event_fan_out").GetProperty("status").GetString().Should().Be("fail");

        await host.WaitForReadinessAsync(HttpStatusCode.OK);
        (await _db.CountAsync($"SELECT count(*) {listeners}")).Should().Be(1, "it listens again");
    }

    [Theory]
    [InlineData(HostTarget.Api, false)]
    [InlineData(HostTarget.Lifecycle, true)]
    [InlineData(HostTarget.Logging, false)]
    public async Task Each_target_starts_alone(HostTarget target, bool runsStatusLoop)
    {
        await using var host = await RunningHost.StartAsync(target, _db.EnvironmentValues());

        (await host.Http.GetAsync("/po/healthz")).StatusCode.Should().Be(HttpStatusCode.OK);
        var checks = (await host.WaitForReadinessAsync(HttpStatusCode.OK)).GetProperty("checks");
        checks.TryGetProperty("status_loop", out _).Should().Be(runsStatusLoop);
    }

    [Fact]
    public async Task Two_hosts_starting_at_once_on_a_fresh_database_both_come_up()
    {
        var hosts = await Task.WhenAll(
            RunningHost.StartAsync(HostTarget.All, _db.EnvironmentValues()),
            RunningHost.StartAsync(HostTarget.All, _db.EnvironmentValues()));
        try
        {
            await Task.WhenAll(hosts.Select(h => h.WaitForReadinessAsync(HttpStatusCode.OK)));

            (await _db.CountAsync("SELECT count(*) FROM schema_migrations")).Should().Be(MigrationCatalog.Embedded.Count);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task An_unknown_route_is_a_404_problem()
    {
        await using var host = await RunningHost.StartAsync(HostTarget.All, _db.EnvironmentValues());

        using var response = await host.Http.GetAsync("/po/no-such-route");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetInt32().Should().Be(404);
    }

    [Fact]
    public async Task Not_ready_with_a_reason_while_the_database_cannot_be_reached()
    {
        var unreachable = new Dictionary<string, string?>(_db.EnvironmentValues())
        {
            ["POSTGRES_PORT"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["POSTGRES_CONNECT_TIMEOUT"] = "1",
        };
        await using var host = await RunningHost.StartAsync(HostTarget.All, unreachable);

        var body = await host.WaitForReadinessAsync(HttpStatusCode.ServiceUnavailable);

        body.GetProperty("status").GetString().Should().Be("not_ready");
        var database = body.GetProperty("checks").GetProperty("database");
        database.GetProperty("status").GetString().Should().Be("fail");
        database.GetProperty("reason").GetString().Should().Contain("migrations not applied");
        (await host.Http.GetAsync("/po/healthz")).StatusCode.Should().Be(HttpStatusCode.OK, "liveness does not depend on the database");
    }
}
