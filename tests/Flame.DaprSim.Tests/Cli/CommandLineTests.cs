using System.Diagnostics;

using Flame.DaprSim.Cli;
using Flame.DaprSim.Tests.Support;

namespace Flame.DaprSim.Tests.Cli;

/// <summary>The command line: the repository's run file, <c>--app</c> specs, and the process's ready lines.</summary>
public sealed class CommandLineTests
{
    [Fact]
    public void The_repositorys_run_file_gives_three_sidecars_with_their_ports_and_the_common_resources()
    {
        var options = CommandLine.Parse(["--run-file", Path.Combine(Sim.RepoRoot, "dapr.yaml")], name => name == "APP_API_TOKEN" ? "app-t" : null);

        options.ResourcesPaths.Should().Equal(Sim.Components);
        options.Sidecars.Select(s => (s.AppId, s.AppPort, s.HttpPort, s.GrpcPort)).Should().Equal(
            ("api", 8000, 3500, 50001), ("lifecycle", 8001, 3501, 50011), ("logging", 8002, 3502, 50021));
        options.Sidecars.Should().OnlyContain(s => s.AppToken == "app-t" && s.ApiToken == null && s.AppHealthCheckPath == "/po/healthz");
    }

    [Fact]
    public void App_specs_give_ports_config_replicas_and_tokens()
    {
        var env = new Dictionary<string, string> { ["DAPR_API_TOKEN"] = "d", ["OTHER"] = "o" };
        var options = CommandLine.Parse(
            ["--resources", "components", "--app", "id=api,app-port=8000,http-port=3500,grpc-port=50001,config=components/config-api.yaml",
             "--app", "id=api,app-port=8010,api-token-env=OTHER,app-token=x", "--namespace", "flame", "--no-mtls", "--redelivery-delay", "100ms"],
            env.GetValueOrDefault);

        var (first, second) = (options.Sidecars[0], options.Sidecars[1]);
        (first.AppId, first.AppPort, first.HttpPort, first.GrpcPort, first.Replica, first.ApiToken).Should().Be(("api", 8000, 3500, 50001, 0, "d"));
        first.ConfigPath.Should().EndWith(Path.Combine("components", "config-api.yaml"));
        (second.Replica, second.HttpPort, second.ApiToken, second.AppToken).Should().Be((1, 0, "o", "x"));
        (options.Namespace, options.Mtls, options.RedeliveryDelay).Should().Be(("flame", false, TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public async Task The_process_prints_one_line_per_sidecar_then_ready_and_stops_on_sigterm()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Flame.DaprSim.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "--resources", Sim.Components, "--app", "id=api,app-port=1,config=" + Path.Combine(Sim.Components, "config-api.yaml"), "--app", "id=lifecycle,app-port=2" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(Sim.Patience);
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            lines.Add(line);
            if (line == "DAPR_SIM ready")
            {
                break;
            }
        }

        lines.Should().HaveCount(3);
        lines[0].Should().MatchRegex("^DAPR_SIM app=api replica=0 http=[0-9]+ grpc=[0-9]+$");
        lines[1].Should().MatchRegex("^DAPR_SIM app=lifecycle replica=0 http=[0-9]+ grpc=[0-9]+$");
        var port = int.Parse(lines[1].Split("http=")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        using var http = new HttpClient();
        (await http.GetAsync($"http://127.0.0.1:{port}/v1.0/healthz/outbound")).StatusCode.Should().Be(System.Net.HttpStatusCode.NoContent);

        Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        await process.WaitForExitAsync(timeout.Token);
        process.ExitCode.Should().Be(0);
    }
}
