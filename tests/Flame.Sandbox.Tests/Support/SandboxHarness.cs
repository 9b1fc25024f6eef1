using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Flame.Sandbox.Tests.Support;

/// <summary>A started sandbox plus an authenticated HTTP client for its Kubernetes API.</summary>
public sealed class SandboxHarness : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private SandboxHarness(SandboxServer server)
    {
        Server = server;
        Http = new HttpClient { BaseAddress = new Uri(server.KubernetesHttpUrl), Timeout = TimeSpan.FromSeconds(30) };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.KubernetesToken);
        Anonymous = new HttpClient { BaseAddress = new Uri(server.BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    public SandboxServer Server { get; }

    public HttpClient Http { get; }

    public HttpClient Anonymous { get; }

    public string Ns => Server.Namespace;

    public static async Task<SandboxHarness> StartAsync(SandboxOptions? options = null) =>
        new(await SandboxServer.StartAsync(options ?? new SandboxOptions { TimeScale = 0.001 }));

    public static CancellationToken Timeout() => new CancellationTokenSource(Patience).Token;

    public async Task<(int Code, JsonNode? Body)> SendAsync(HttpMethod method, string path, JsonNode? body = null, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        JsonNode? parsed = null;
        try
        {
            parsed = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            parsed = JsonValue.Create(text);
        }

        return ((int)response.StatusCode, parsed);
    }

    public Task<(int Code, JsonNode? Body)> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<(int Code, JsonNode? Body)> PostAsync(string path, JsonNode body) => SendAsync(HttpMethod.Post, path, body);

    public string Deployments => $"/apis/apps/v1/namespaces/{Ns}/deployments";

    public string Pods => $"/api/v1/namespaces/{Ns}/pods";

    public string Services => $"/api/v1/namespaces/{Ns}/services";

    public string ConfigMaps => $"/api/v1/namespaces/{Ns}/configmaps";

    public string Secrets => $"/api/v1/namespaces/{Ns}/secrets";

    public static JsonObject Deployment(string name, string image = "sim/ok?runtime=20s", int replicas = 1) => new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = name, ["component"] = "flame-analysis" } },
        ["spec"] = new JsonObject
        {
            ["replicas"] = replicas,
            ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name, ["component"] = "flame-analysis" } },
            ["template"] = new JsonObject
            {
                ["metadata"] = new JsonObject { ["labels"] = new JsonObject { ["app"] = name, ["component"] = "flame-analysis" } },
                ["spec"] = new JsonObject
                {
                    ["containers"] = new JsonArray(new JsonObject
                    {
                        ["name"] = name,
                        ["image"] = image,
                        ["ports"] = new JsonArray(new JsonObject { ["containerPort"] = 8000 }),
                        ["env"] = new JsonArray(new JsonObject { ["name"] = "ANALYSIS_ID", ["value"] = "a1" }, new JsonObject { ["name"] = "DEPLOYMENT_NAME", ["value"] = name }),
                    }),
                },
            },
        },
    };

    public static JsonObject Pod(string name, string image, string restartPolicy = "Never") => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = name } },
        ["spec"] = new JsonObject
        {
            ["restartPolicy"] = restartPolicy,
            ["containers"] = new JsonArray(new JsonObject { ["name"] = "main", ["image"] = image }),
        },
    };

    public static JsonObject Service(string name, string selectorApp, int port = 80, int targetPort = 8000) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["app"] = name } },
        ["spec"] = new JsonObject
        {
            ["selector"] = new JsonObject { ["app"] = selectorApp },
            ["ports"] = new JsonArray(new JsonObject { ["port"] = port, ["targetPort"] = targetPort }),
        },
    };

    public static JsonObject ConfigMap(string name, IDictionary<string, string>? labels = null) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["labels"] = new JsonObject((labels ?? new Dictionary<string, string>()).Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
        },
        ["data"] = new JsonObject { ["k"] = "v" },
    };

    public Task<JsonObject> WaitForPodAsync(string labelSelector, Func<JsonObject, bool> condition) =>
        Server.Objects.WaitForAnyAsync("pods", Ns, labelSelector, condition, Timeout());

    public static string? ContainerState(JsonObject pod, string state, string field) =>
        pod["status"]?["containerStatuses"]?[0]?["state"]?[state]?[field]?.GetValue<string>();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Anonymous.Dispose();
        await Server.DisposeAsync();
    }
}

public static class JsonAssertions
{
    public static string? S(this JsonNode? node, params string[] path)
    {
        foreach (var p in path)
        {
            node = node is JsonArray array && int.TryParse(p, out var index) ? array[index] : node?[p];
        }

        return node?.GetValueKind() == System.Text.Json.JsonValueKind.String ? node.GetValue<string>() : node?.ToJsonString();
    }

    public static JsonContent AsContent(this JsonNode node) => JsonContent.Create(node);
}
