using System.Net;
using System.Text.Json;
using Flame.Po.IntegrationTests.Support;

namespace Flame.Po.IntegrationTests.Host;

/// <summary>The executable's contract with operators: exit codes, messages, and no secret in any output.</summary>
public sealed class HostProcessTests : IAsyncLifetime
{
    private static readonly string HubSecret = "hub-secret-" + Guid.NewGuid().ToString("N");
    private static readonly string KeycloakSecret = "kc-secret-" + Guid.NewGuid().ToString("N");
    private static readonly string DaprToken = "dapr-token-" + Guid.NewGuid().ToString("N");
    private static readonly string AppToken = "app-token-" + Guid.NewGuid().ToString("N");

    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestPostgres.CreateDatabaseAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Theory]
    [InlineData(new[] { "--target", "scheduler" }, null, "Unknown target 'scheduler'")]
    [InlineData(new string[0], "worker", "Unknown target 'worker'")]
    [InlineData(new[] { "--target" }, null, "--target needs a value")]
    public async Task An_unknown_target_exits_non_zero_with_a_clear_message(string[] args, string? environmentTarget, string message)
    {
        await using var host = HostProcess.Start(args, new Dictionary<string, string?>(_db.EnvironmentValues()) { ["PO_TARGET"] = environmentTarget });

        var exit = await host.WaitForExitAsync(TimeSpan.FromSeconds(30));

        exit.Should().Be(2);
        host.Output.Should().Contain(message).And.Contain("all, api, lifecycle, logging");
    }

    [Fact]
    public async Task Missing_configuration_exits_non_zero_naming_each_variable_and_echoing_no_value()
    {
        var secretPort = "port-" + Guid.NewGuid().ToString("N");
        await using var host = HostProcess.Start(["--target", "all"], new Dictionary<string, string?>
        {
            ["POSTGRES_PASSWORD"] = _db.Settings.Password,
            ["POSTGRES_PORT"] = secretPort,
            ["POSTGRES_DB"] = "po",
            ["HUB_CLIENT_SECRET"] = HubSecret,
            ["STATUS_LOOP_INTERVAL"] = "0",
        });

        var exit = await host.WaitForExitAsync(TimeSpan.FromSeconds(30));

        exit.Should().Be(3);
        host.Output.Should().Contain("POSTGRES_HOST is required").And.Contain("POSTGRES_USER is required")
            .And.Contain("POSTGRES_PORT must be a valid whole number").And.Contain("STATUS_LOOP_INTERVAL")
            .And.Contain("HUB_CLIENT_ID");
        host.Output.Should().NotContain(secretPort).And.NotContain(_db.Settings.Password!).And.NotContain(HubSecret);
    }

    [Fact]
    public async Task A_running_host_logs_json_lines_and_never_a_secret()
    {
        var port = FreePort.Next();
        await using var host = HostProcess.Start(["--target", "all", "--urls", $"http://127.0.0.1:{port}"], WithSecrets(_db.EnvironmentValues()));
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        await WaitForStatusAsync(http, host, HttpStatusCode.OK);
        await http.GetAsync("/po/healthz");
        await http.GetAsync("/po/not-a-route");
        await host.StopAsync();

        var lines = host.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().Contain(l => l.Contains("Flame PO starting", StringComparison.Ordinal));
        lines.Should().AllSatisfy(line => JsonDocument.Parse(line).RootElement.GetProperty("level").GetString().Should().NotBeNullOrEmpty());
        AssertNoSecret(host.Output, _db.Settings.Password!);
    }

    [Fact]
    public async Task Log_level_error_silences_the_information_lines_of_every_category()
    {
        var port = FreePort.Next();
        var environment = new Dictionary<string, string?>(WithSecrets(_db.EnvironmentValues())) { ["LOG_LEVEL"] = "error" };
        await using var host = HostProcess.Start(["--target", "all", "--urls", $"http://127.0.0.1:{port}"], environment);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        await WaitForStatusAsync(http, host, HttpStatusCode.OK);
        await http.GetAsync("/po/healthz");
        await http.GetAsync("/po/not-a-route");
        await host.StopAsync();

        var levels = host.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(json => (Level: json.GetProperty("level").GetString(), Logger: json.GetProperty("logger").GetString()))
            .ToList();
        levels.Should().NotContain(l => l.Level != "ERROR" && l.Level != "CRITICAL", "nothing below error is written, not even the framework's start-up lines");
    }

    [Fact]
    public async Task A_host_that_cannot_log_in_to_postgres_reports_why_without_the_password()
    {
        var wrongPassword = "wrong-pw-" + Guid.NewGuid().ToString("N");
        var port = FreePort.Next();
        var environment = WithSecrets(new Dictionary<string, string?>(_db.EnvironmentValues()) { ["POSTGRES_PASSWORD"] = wrongPassword });
        await using var host = HostProcess.Start(["--target", "all", "--urls", $"http://127.0.0.1:{port}"], environment);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        var body = await WaitForStatusAsync(http, host, HttpStatusCode.ServiceUnavailable);
        await host.StopAsync();

        body.Should().Contain("28P01", "the reason names PostgreSQL's authentication failure");
        host.Output.Should().Contain("Database not ready");
        AssertNoSecret(host.Output, wrongPassword);
    }

    private static Dictionary<string, string?> WithSecrets(IDictionary<string, string?> database) => new(database)
    {
        ["LOG_LEVEL"] = "trace",
        ["STATUS_LOOP_INTERVAL"] = "1",
        ["HUB_CLIENT_ID"] = "node-client",
        ["HUB_CLIENT_SECRET"] = HubSecret,
        ["HUB_URL_CORE"] = "http://127.0.0.1:9/core",
        ["HUB_URL_AUTH"] = "http://127.0.0.1:9/auth",
        ["KEYCLOAK_URL"] = "http://127.0.0.1:9/keycloak",
        ["RESULT_CLIENT_ID"] = "service1",
        ["RESULT_CLIENT_SECRET"] = KeycloakSecret,
        ["DAPR_API_TOKEN"] = DaprToken,
        ["APP_API_TOKEN"] = AppToken,
    };

    private static void AssertNoSecret(string output, string databasePassword)
    {
        output.Should().NotBeNullOrWhiteSpace();
        foreach (var secret in new[] { databasePassword, HubSecret, KeycloakSecret, DaprToken, AppToken })
        {
            output.Should().NotContain(secret);
        }
    }

    private static async Task<string> WaitForStatusAsync(HttpClient http, HostProcess host, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var last = "(no answer)";
        while (DateTime.UtcNow < deadline && host.ExitCode is null)
        {
            try
            {
                using var response = await http.GetAsync("/readyz");
                last = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == expected)
                {
                    return last;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"/readyz never answered {(int)expected} (exit code {host.ExitCode}); last: {last}\n{host.Output}");
    }
}
