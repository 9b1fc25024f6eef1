using System.Text.Json.Nodes;
using Flame.Po.Host;
using Flame.Po.Kubernetes.Tests.Deploy.Support;
using Flame.Po.Kubernetes.Tests.Support;

namespace Flame.Po.Kubernetes.Tests.Deploy;

/// <summary>dapr.yaml (Dapr docs, "Multi-App Run template file"): its fields, paths and the apps it starts.</summary>
public sealed class DaprMultiAppRunTests
{
    /// <summary>The keys the Multi-App Run template documents for the file, for common and for each app.</summary>
    private static readonly string[] TopKeys = ["version", "common", "apps"];

    private static readonly string[] AppKeys =
    [
        "appID", "appDirPath", "appPort", "appProtocol", "command", "resourcesPath", "resourcesPaths", "configFilePath", "env",
        "daprHTTPPort", "daprGRPCPort", "enableAppHealthCheck", "appHealthCheckPath", "appLogDestination", "daprdLogDestination",
        "appChannelAddress", "metricsPort", "unixDomainSocket", "logLevel", "appMaxConcurrency", "placementHostAddress",
        "enableApiLogging", "runtimePath", "appHealthProbeInterval", "appHealthProbeTimeout", "appHealthThreshold", "daprHTTPMaxRequestSize",
    ];

    private static JsonObject File => YamlDocuments.ParseFile(Path.Combine(RepositoryPaths.Root, "dapr.yaml"));

    private static IEnumerable<JsonObject> Apps => File["apps"]!.AsArray().Select(a => a!.AsObject());

    [Fact]
    public void The_file_has_only_documented_keys_and_loads_the_components_folder()
    {
        var file = File;

        file.Select(p => p.Key).Should().BeSubsetOf(TopKeys);
        file["version"]!.GetValue<long>().Should().Be(1);
        file["common"]!["resourcesPath"]!.GetValue<string>().Should().Be("./components");
        Directory.Exists(Path.Combine(RepositoryPaths.Root, "components")).Should().BeTrue();
        file["common"]!["env"]!["PO_BUILDING_BLOCKS"]!.GetValue<string>().Should().Be("dapr");
        Apps.SelectMany(a => a.Select(p => p.Key)).Should().BeSubsetOf(AppKeys);
    }

    [Fact]
    public void Api_lifecycle_and_logging_run_the_host_with_their_target_and_port()
    {
        var apps = Apps.ToList();

        apps.Select(a => a["appID"]!.GetValue<string>()).Should().Equal(DeployManifestChecks.AppIds);
        foreach (var app in apps)
        {
            var id = app["appID"]!.GetValue<string>();
            var target = HostTargets.ByName[id];
            var directory = Path.GetFullPath(Path.Combine(RepositoryPaths.Root, app["appDirPath"]!.GetValue<string>()));
            System.IO.File.Exists(Path.Combine(directory, "Flame.Po.Host.csproj")).Should().BeTrue(id);
            var command = app["command"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
            command.Should().Equal("dotnet", $"bin/Release/{TargetFramework}/Flame.Po.Host.dll", "--target", id);
            app["appPort"]!.GetValue<long>().Should().Be(target.DefaultPort(), id);
            app["env"]!["PO_PORT"]!.GetValue<string>().Should().Be(target.DefaultPort().ToString(System.Globalization.CultureInfo.InvariantCulture));
            app["appHealthCheckPath"]!.GetValue<string>().Should().Be("/po/healthz");
        }

        apps.Select(a => a["daprHTTPPort"]!.GetValue<long>()).Should().OnlyHaveUniqueItems();
        apps.Select(a => a["daprGRPCPort"]!.GetValue<long>()).Should().OnlyHaveUniqueItems();
        apps.Select(a => a["metricsPort"]!.GetValue<long>()).Should().OnlyHaveUniqueItems();
    }

    /// <summary>The folder of the host's build output (e.g. net10.0), from this test assembly's own.</summary>
    private static string TargetFramework => new DirectoryInfo(AppContext.BaseDirectory).Name;
}
