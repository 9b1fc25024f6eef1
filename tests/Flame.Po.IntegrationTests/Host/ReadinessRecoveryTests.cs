using System.Net;
using Flame.Po.Host;
using Flame.Po.IntegrationTests.Support;

namespace Flame.Po.IntegrationTests.Host;

/// <summary>Stops and restarts a real PostgreSQL server under a running host.</summary>
public sealed class ReadinessRecoveryTests
{
    [Fact]
    public async Task A_host_on_a_fresh_database_is_ready_once_migrated_not_a_status_loop_interval_later()
    {
        await using var postgres = await PrivatePostgresServer.StartAsync();
        await using var host = await StartHostAsync(postgres, "STATUS_LOOP_INTERVAL", "3600");

        // The first tick runs at start-up while the migrations still run; it must wait for them, since the next
        // tick (which readiness would otherwise need) is an hour away.
        var ready = await host.WaitForReadinessAsync(HttpStatusCode.OK, TimeSpan.FromSeconds(30));

        ready.GetProperty("checks").GetProperty("status_loop").GetProperty("status").GetString().Should().Be("ok");
    }

    [Fact]
    public async Task Readiness_follows_postgres_down_and_back_up_without_a_restart()
    {
        await using var postgres = await PrivatePostgresServer.StartAsync();
        await using var host = await StartHostAsync(postgres, "POSTGRES_CONNECT_TIMEOUT", "2");
        await host.WaitForReadinessAsync(HttpStatusCode.OK);

        await postgres.StopAsync();
        var down = await host.WaitForReadinessAsync(HttpStatusCode.ServiceUnavailable);
        await postgres.StartAgainAsync();
        var up = await host.WaitForReadinessAsync(HttpStatusCode.OK);

        var database = down.GetProperty("checks").GetProperty("database");
        database.GetProperty("status").GetString().Should().Be("fail");
        database.GetProperty("reason").GetString().Should().StartWith("database unreachable");
        down.GetProperty("checks").GetProperty("status_loop").GetProperty("status").GetString().Should().Be("ok");
        up.GetProperty("checks").GetProperty("database").GetProperty("status").GetString().Should().Be("ok");
    }

    /// <summary>The whole host on <paramref name="postgres"/>, with one more setting.</summary>
    private static Task<RunningHost> StartHostAsync(PrivatePostgresServer postgres, string setting, string value)
    {
        var settings = postgres.Settings;
        return RunningHost.StartAsync(HostTarget.All, new Dictionary<string, string?>
        {
            ["POSTGRES_HOST"] = settings.Host,
            ["POSTGRES_PORT"] = settings.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["POSTGRES_USER"] = settings.User,
            ["POSTGRES_PASSWORD"] = settings.Password,
            ["POSTGRES_DB"] = settings.Database,
            [setting] = value,
        });
    }
}
