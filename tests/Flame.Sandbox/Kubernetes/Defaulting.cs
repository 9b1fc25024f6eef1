using System.Text;
using System.Text.Json.Nodes;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary>Server-side defaults that a client reads back (the values a real apiserver would fill in).</summary>
public sealed class Defaulting(Func<string> allocateClusterIp)
{
    public void Apply(ResourceKind kind, JsonObject obj)
    {
        switch (kind.Plural)
        {
            case "deployments":
                DefaultDeployment(obj);
                break;
            case "pods":
                DefaultPodSpec(obj.Obj("spec"));
                break;
            case "services":
                DefaultService(obj);
                break;
            case "secrets":
                DefaultSecret(obj);
                break;
            case "networkpolicies":
                DefaultNetworkPolicy(obj);
                break;
            default:
                break;
        }
    }

    private static void SetIfMissing(JsonObject obj, string name, JsonNode? value)
    {
        if (obj[name] is null)
        {
            obj[name] = value;
        }
    }

    private static void DefaultDeployment(JsonObject obj)
    {
        var spec = obj.Obj("spec");
        SetIfMissing(spec, "replicas", 1);
        SetIfMissing(spec, "revisionHistoryLimit", 10);
        SetIfMissing(spec, "progressDeadlineSeconds", 600);
        SetIfMissing(spec, "strategy", new JsonObject
        {
            ["type"] = "RollingUpdate",
            ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = "25%", ["maxSurge"] = "25%" },
        });
        spec.Obj("template", "metadata");
        DefaultPodSpec(spec.Obj("template", "spec"));
    }

    public static void DefaultPodSpec(JsonObject spec)
    {
        SetIfMissing(spec, "restartPolicy", "Always");
        SetIfMissing(spec, "terminationGracePeriodSeconds", 30);
        SetIfMissing(spec, "dnsPolicy", "ClusterFirst");
        SetIfMissing(spec, "securityContext", new JsonObject());
        SetIfMissing(spec, "schedulerName", "default-scheduler");
        foreach (var c in spec.At("containers").Objects().Concat(spec.At("initContainers").Objects()))
        {
            var image = c.Str("image") ?? "";
            var tagged = image.Contains('@', StringComparison.Ordinal)
                || (image.LastIndexOf(':') > image.LastIndexOf('/') && !image.EndsWith(":latest", StringComparison.Ordinal));
            SetIfMissing(c, "imagePullPolicy", tagged ? "IfNotPresent" : "Always");
            SetIfMissing(c, "terminationMessagePath", "/dev/termination-log");
            SetIfMissing(c, "terminationMessagePolicy", "File");
            SetIfMissing(c, "resources", new JsonObject());
            foreach (var p in c.At("ports").Objects())
            {
                SetIfMissing(p, "protocol", "TCP");
            }
        }
    }

    private void DefaultService(JsonObject obj)
    {
        var spec = obj.Obj("spec");
        SetIfMissing(spec, "type", "ClusterIP");
        SetIfMissing(spec, "sessionAffinity", "None");
        if (spec.Str("clusterIP") is null)
        {
            var ip = allocateClusterIp();
            spec["clusterIP"] = ip;
            spec["clusterIPs"] = new JsonArray(ip);
        }

        SetIfMissing(spec, "ipFamilies", new JsonArray("IPv4"));
        SetIfMissing(spec, "ipFamilyPolicy", "SingleStack");
        SetIfMissing(spec, "internalTrafficPolicy", "Cluster");
        foreach (var p in spec.At("ports").Objects())
        {
            SetIfMissing(p, "protocol", "TCP");
            SetIfMissing(p, "targetPort", p["port"]?.DeepClone());
        }
    }

    /// <summary><c>stringData</c> is write-only: the apiserver merges it into base64 <c>data</c>.</summary>
    private static void DefaultSecret(JsonObject obj)
    {
        SetIfMissing(obj, "type", "Opaque");
        if (obj["stringData"] is JsonObject stringData)
        {
            var data = obj.Obj("data");
            foreach (var (key, value) in stringData.StringMap())
            {
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
            }

            obj.Remove("stringData");
        }
    }

    private static void DefaultNetworkPolicy(JsonObject obj)
    {
        var spec = obj.Obj("spec");
        if (spec["policyTypes"] is null)
        {
            var types = new JsonArray("Ingress");
            if (spec["egress"] is not null)
            {
                types.Add("Egress");
            }

            spec["policyTypes"] = types;
        }
    }
}
