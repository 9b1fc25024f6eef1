using System.Net;
using Flame.Po.IntegrationTests.Support;

namespace Flame.Po.IntegrationTests.Host;

/// <summary>
/// <c>./run.sh</c> without a cluster: it starts the sandbox, points the PO at it, prints the five lines scripts read
/// once the stack is ready (the README's "Without a cluster: the sandbox"), and leaves nothing running after SIGTERM.
/// </summary>
public sealed class RunScriptSandboxTests : IAsyncLifetime
{
    private static readonly string[] Lines = ["PO_URL", "PO_TOKEN", "KUBECONFIG", "KEYCLOAK_URL", "HUB_URL"];

    private readonly string _work = Directory.CreateTempSubdirectory("flame-run-sh-").FullName;
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestPostgres.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    [Fact]
    public async Task Without_a_cluster_it_runs_the_po_on_the_sandbox_prints_the_addresses_and_stops_both_on_sigterm()
    {
        var port = FreePort.Next();
        var environment = new Dictionary<string, string?>(_db.EnvironmentValues())
        {
            ["PO_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SANDBOX_WORK_DIR"] = _work,
            ["STATUS_LOOP_INTERVAL"] = "1",
            // The test build already built both executables in Release; building again would only cost time.
            ["PO_SKIP_BUILD"] = ReleaseBuildsExist() ? "1" : null,
        };
        await using var run = RunScriptProcess.Start(environment);

        await WaitUntilAsync(() => Lines.All(l => run.Value(l) is not null) && run.Stdout.Contains("curl -sS -X POST", StringComparison.Ordinal), run, TimeSpan.FromMinutes(4));

        var poUrl = run.Value("PO_URL")!;
        poUrl.Should().Be($"http://127.0.0.1:{port}");
        run.Value("PO_TOKEN")!.Split('.').Should().HaveCount(3, "the management token is a JWT");
        run.Value("KUBECONFIG").Should().Be(Path.Combine(_work, "kubeconfig"));
        File.Exists(run.Value("KUBECONFIG")).Should().BeTrue();
        run.Value("KEYCLOAK_URL").Should().EndWith("/keycloak/realms/flame");
        run.Stdout.Should().Contain("\"image_url\":\"harbor.sandbox.local/sim/ok:runtime-30s\"");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        (await http.GetAsync(poUrl + "/po/healthz")).StatusCode.Should().Be(HttpStatusCode.OK);
        var hubUrl = run.Value("HUB_URL")!;
        (await http.GetAsync(hubUrl + "/_sim/calls")).StatusCode.Should().Be(HttpStatusCode.OK);
        var discovery = await http.GetAsync(run.Value("KEYCLOAK_URL") + "/.well-known/openid-configuration");
        discovery.StatusCode.Should().Be(HttpStatusCode.OK);

        var exit = await run.TerminateAsync(TimeSpan.FromSeconds(60));

        exit.Should().Be(143, "run.sh exits as killed by SIGTERM after its clean-up");
        (await RefusesAsync(http, poUrl + "/po/healthz")).Should().BeTrue("the PO host must be gone");
        (await RefusesAsync(http, hubUrl + "/_sim/calls")).Should().BeTrue("the sandbox must be gone");
    }

    private static bool ReleaseBuildsExist() =>
        File.Exists(Path.Combine(RepositoryRoot.Path, "services/Flame.Po.Host/bin/Release/net10.0/Flame.Po.Host.dll"))
        && File.Exists(Path.Combine(RepositoryRoot.Path, "tests/Flame.Sandbox/bin/Release/net10.0/Flame.Sandbox.dll"))
        && AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    private static async Task<bool> RefusesAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(url);
            return false;
        }
        catch (HttpRequestException)
        {
            return true;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, RunScriptProcess run, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (run.ExitCode is not null || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"run.sh did not print its addresses (exit code {run.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}).\nstdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
            }

            await Task.Delay(200);
        }
    }
}
