using System.Net.Http.Headers;
using System.Text;

using Dapr.Client;

using Flame.DaprSim.Sidecars;
using Flame.Testing;

namespace Flame.DaprSim.Tests.Support;

/// <summary>Helpers to start a simulator over test resources and to talk to its sidecars.</summary>
public static class Sim
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>The repository root (holds Flame.Dapr.sln), for the real components/ YAMLs.</summary>
    public static string RepoRoot { get; } = FindRoot();

    public static string Components => Path.Combine(RepoRoot, "components");

    /// <summary>Writes YAML documents into a new temporary resources directory.</summary>
    public static string Resources(params string[] documents)
    {
        var dir = Path.Combine(Path.GetTempPath(), "dapr-sim-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        for (var i = 0; i < documents.Length; i++)
        {
            File.WriteAllText(Path.Combine(dir, $"r{i}.yaml"), documents[i]);
        }

        return dir;
    }

    public const string StateStore = """
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata: { name: statestore }
        spec:
          type: state.postgresql
          version: v2
          metadata:
            - name: connectionString
              secretKeyRef: { name: X, key: X }
        """;

    public static string PubSub(string metadata = "", string name = "pubsub") => $$"""
        apiVersion: dapr.io/v1alpha1
        kind: Component
        metadata: { name: {{name}} }
        spec:
          type: pubsub.redis
          version: v1
          metadata:
            - { name: redisHost, value: "localhost:6379" }
        {{metadata}}
        """;

    public static DaprSimOptions Options(string resources, params SidecarOptions[] sidecars) => new()
    {
        ResourcesPaths = [resources],
        Sidecars = sidecars,
        RedeliveryDelay = TimeSpan.FromMilliseconds(50),
        RedeliveryMaxDelay = TimeSpan.FromMilliseconds(200),
        AppProbeInterval = TimeSpan.FromMilliseconds(50),
        SubscribeRetryInterval = TimeSpan.FromMilliseconds(50),
    };

    public static SidecarOptions App(string appId, int appPort, int replica = 0, string? config = null, string? apiToken = null, string? appToken = null) =>
        new() { AppId = appId, AppPort = appPort, Replica = replica, ConfigPath = config, ApiToken = apiToken, AppToken = appToken };

    /// <summary>A Dapr SDK client for one sidecar, as the product builds it.</summary>
    public static DaprClient Client(Sidecar sidecar, string? token = null)
    {
        var builder = new DaprClientBuilder()
            .UseGrpcEndpoint($"http://127.0.0.1:{sidecar.GrpcPort}")
            .UseHttpEndpoint($"http://127.0.0.1:{sidecar.HttpPort}");
        if ((token ?? sidecar.ApiToken) is { } t)
        {
            builder.UseDaprApiToken(t);
        }

        return builder.Build();
    }

    public static HttpClient Http(Sidecar sidecar, string? token = null)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{sidecar.HttpPort}"), Timeout = TimeSpan.FromSeconds(30) };
        if ((token ?? sidecar.ApiToken) is { } t)
        {
            client.DefaultRequestHeaders.Add("dapr-api-token", t);
        }

        return client;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));

    /// <summary>Waits until the sidecar's app channel is up and its subscriptions are loaded.</summary>
    public static Task ReadyAsync(Sidecar sidecar) => Until(() => sidecar.Ready && sidecar.SubscriptionsLoaded, $"sidecar of {sidecar.AppId}/{sidecar.Replica} ready");

    public static Task Until(Func<bool> condition, string what, TimeSpan? patience = null) =>
        Wait.UntilAsync(condition, patience ?? Patience, what, TimeSpan.FromMilliseconds(20));

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Flame.Dapr.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
