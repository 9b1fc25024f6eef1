using System.Text.Json.Nodes;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// The neighbours of the PO on a FLAME node (docs/compatibility.md#node-services), named and labelled as the
/// <c>flame-node</c> helm chart (release <c>flame-node</c>) creates them: a Service per node service and a Deployment
/// whose pods the simulated kubelet runs as long-running services with pod IPs. The PO discovers them by label to
/// render the per-analysis nginx config, so without them no analysis could be created in the sandbox.
/// </summary>
public static class NodeServiceSeed
{
    public const string Release = "flame-node";

    /// <summary>Name, identifying label, image, Service name, Service port and container port of each neighbour.</summary>
    public static readonly IReadOnlyList<NodeServiceSpec> Services =
    [
        new($"{Release}-hub-adapter", ("component", "flame-hub-adapter"), "ghcr.io/privateaim/node-hub-api-adapter:latest", $"{Release}-hub-adapter-service", 5000, 5000),
        new($"{Release}-message-broker", ("component", "flame-message-broker"), "ghcr.io/privateaim/node-message-broker:latest", $"{Release}-message-broker", 80, 8080),
        new($"{Release}-storage-service", ("component", "flame-storage-service"), "ghcr.io/privateaim/node-result-service:latest", $"{Release}-storage-service", 8080, 8080),
        new($"{Release}-kong", ("app.kubernetes.io/name", "kong"), "kong:3.9", $"{Release}-kong-proxy", 80, 8000),
        new($"{Release}-po", ("component", "flame-po"), "ghcr.io/privateaim/node-pod-orchestrator:0.6.2", $"{Release}-po-service", 8000, 8000),
    ];

    public static void Create(ApiCore api, string ns)
    {
        foreach (var spec in Services)
        {
            api.Create(ResourceCatalog.Deployments, ns, Deployment(spec));
            api.Create(ResourceCatalog.Services, ns, Service(spec));
        }
    }

    private static JsonObject Labels(NodeServiceSpec spec) => new()
    {
        ["app"] = spec.Name,
        [spec.Label.Key] = spec.Label.Value,
        ["app.kubernetes.io/instance"] = Release,
    };

    private static JsonObject Deployment(NodeServiceSpec spec)
    {
        var container = new JsonObject
        {
            ["name"] = spec.Name["flame-node-".Length..],
            ["image"] = spec.Image,
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["containerPort"] = spec.ContainerPort, ["protocol"] = "TCP" }),
        };
        var podSpec = new JsonObject { ["containers"] = new JsonArray(container) };
        var podLabels = Labels(spec);
        if (spec.Label.Value == "flame-po")
        {
            // The PO's own pod as the chart runs it: its service account (RBAC on the namespace), version labels,
            // and the liveness/readiness probe on /po/healthz.
            podLabels["version"] = "0.6.2";
            podLabels["deployment-id"] = "sandbox";
            podSpec["serviceAccountName"] = $"{Release}-po-sa";
            container["env"] = new JsonArray(new JsonObject { ["name"] = "STATUS_LOOP_INTERVAL", ["value"] = "10" });
            container["livenessProbe"] = new JsonObject { ["httpGet"] = new JsonObject { ["path"] = "/po/healthz", ["port"] = 8000 }, ["initialDelaySeconds"] = 15, ["periodSeconds"] = 20 };
            container["readinessProbe"] = container["livenessProbe"]!.DeepClone();
        }

        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "Deployment",
            ["metadata"] = new JsonObject { ["name"] = spec.Name, ["labels"] = Labels(spec) },
            ["spec"] = new JsonObject
            {
                ["replicas"] = 1,
                ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = spec.Name } },
                ["template"] = new JsonObject { ["metadata"] = new JsonObject { ["labels"] = podLabels }, ["spec"] = podSpec },
            },
        };
    }

    private static JsonObject Service(NodeServiceSpec spec) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = spec.ServiceName, ["labels"] = Labels(spec) },
        ["spec"] = new JsonObject
        {
            ["selector"] = new JsonObject { ["app"] = spec.Name },
            ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = spec.ServicePort, ["targetPort"] = spec.ContainerPort, ["protocol"] = "TCP" }),
        },
    };
}

/// <summary>One seeded node service; <paramref name="Label"/> is what the PO's discovery selects on.</summary>
public sealed record NodeServiceSpec(string Name, (string Key, string Value) Label, string Image, string ServiceName, int ServicePort, int ContainerPort);
