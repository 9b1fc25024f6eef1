using System.Net;
using System.Text.RegularExpressions;
using Flame.Po.IntegrationTests.Support;
using Flame.Testing;

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

        await WaitUntilAsync(() => Lines.All(l => run.Value(l) is not null) && run.Stdout.Contains("curl -sS -X POST \"$PO_URL/po/\"", StringComparison.Ordinal), run, TimeSpan.FromMinutes(4));

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
        // The example registers the analysis in the Hub first (the Hub reports only analyses it knows), then creates
        // it with the same id.
        var register = Regex.Match(run.Stdout, """^curl -sS -X POST "\$HUB_URL/_sim/analyses" .* -d '(\{"analysis_id":"(?<id>[0-9a-f-]{36})"\})'$""", RegexOptions.Multiline);
        register.Success.Should().BeTrue("the printed example registers the analysis in the Hub:\n" + run.Stdout);
        var analysisId = register.Groups["id"].Value;
        var create = run.Stdout.IndexOf("curl -sS -X POST \"$PO_URL/po/\"", StringComparison.Ordinal);
        create.Should().BeGreaterThan(register.Index, "the registration comes before the create");
        run.Stdout[create..].Should().Contain($"\"analysis_id\":\"{analysisId}\"");
        using var registered = await http.PostAsync(hubUrl + "/_sim/analyses", new StringContent(register.Groups[1].Value, System.Text.Encoding.UTF8, "application/json"));
        registered.StatusCode.Should().Be(HttpStatusCode.OK, "the printed body is what the Hub simulator takes");
        var discovery = await http.GetAsync(run.Value("KEYCLOAK_URL") + "/.well-known/openid-configuration");
        discovery.StatusCode.Should().Be(HttpStatusCode.OK);

        var exit = await run.TerminateAsync(TimeSpan.FromSeconds(60));

        exit.Should().Be(143, "run.sh exits as killed by SIGTERM after its clean-up");
        (await RefusesAsync(http, poUrl + "/po/healthz")).Should().BeTrue("the PO host must be gone");
        (await RefusesAsync(http, hubUrl + "/_sim/calls")).Should().BeTrue("the sandbox must be gone");
    }

    [Fact]
    public async Task With_dapr_sim_it_runs_three_processes_with_simulated_sidecars_that_serve_a_create_and_stops_all_on_sigterm()
    {
        var ports = new[] { FreePort.Next(), FreePort.Next(), FreePort.Next() };
        var environment = new Dictionary<string, string?>(_db.EnvironmentValues())
        {
            ["PO_PORT"] = ports[0].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LIFECYCLE_PORT"] = ports[1].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LOGGING_PORT"] = ports[2].ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["SANDBOX_WORK_DIR"] = _work,
            ["STATUS_LOOP_INTERVAL"] = "1",
            ["PO_SKIP_BUILD"] = ReleaseBuildsExist() && File.Exists(Path.Combine(RepositoryRoot.Path, "tests/Flame.DaprSim/bin/Release/net10.0/Flame.DaprSim.dll")) ? "1" : null,
        };
        await using var run = RunScriptProcess.Start(environment, "--dapr-sim");

        await WaitUntilAsync(() => Lines.All(l => run.Value(l) is not null), run, TimeSpan.FromMinutes(4));
        var poUrl = run.Value("PO_URL")!;
        poUrl.Should().Be($"http://127.0.0.1:{ports[0]}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var id = Guid.NewGuid().ToString();
        using var create = new HttpRequestMessage(HttpMethod.Post, poUrl + "/po/")
        {
            Content = new StringContent(Api.ApiFixture.CreateBody(id).ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
        };
        create.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", run.Value("PO_TOKEN"));
        using var created = await http.SendAsync(create);
        (await created.Content.ReadAsStringAsync()).Should().Be($$"""{"{{id}}":"starting"}""", "the api reached the lifecycle through the sidecars");
        using var lifecycleDirect = await http.PostAsync($"http://127.0.0.1:{ports[1]}/internal/analyses/stop", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        lifecycleDirect.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "run.sh sets an app token: the lifecycle answers only its sidecar");

        var exit = await run.TerminateAsync(TimeSpan.FromSeconds(60));

        exit.Should().Be(143);
        foreach (var port in ports)
        {
            (await RefusesAsync(http, $"http://127.0.0.1:{port}/po/healthz")).Should().BeTrue($"the process on {port} must be gone");
        }
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

    private static Task WaitUntilAsync(Func<bool> condition, RunScriptProcess run, TimeSpan timeout) =>
        Wait.UntilAsync(
            condition,
            timeout,
            "run.sh to print its addresses",
            TimeSpan.FromMilliseconds(200),
            stopIf: () => run.ExitCode is not null,
            details: () => $"exit code {run.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}\nstdout:\n{run.Stdout}\nstderr:\n{run.Stderr}");
}
