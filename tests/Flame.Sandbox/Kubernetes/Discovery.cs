using System.Text.Json.Nodes;

namespace Flame.Sandbox.Kubernetes;

/// <summary>Legacy discovery documents (<c>/api</c>, <c>/apis</c>, <c>/api/v1</c>, <c>/apis/{g}/{v}</c>) and <c>/version</c>, enough for kubectl.</summary>
public static class Discovery
{
    private static readonly string[] ItemVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.4-flame-sandbox",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2026-01-01T00:00:00Z",
        ["goVersion"] = "go1.23",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject Groups() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(ResourceCatalog.GroupVersions().Where(gv => gv.Group.Length > 0).Select(gv => (JsonNode)Group(gv.Group, gv.Version)).ToArray()),
    };

    public static JsonObject Group(string group, string version)
    {
        var gv = new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray(gv),
            ["preferredVersion"] = gv.DeepClone(),
        };
    }

    public static JsonObject Resources(string group, string version)
    {
        var resources = new JsonArray();
        foreach (var kind in ResourceCatalog.All.Where(k => k.Group == group && k.Version == version))
        {
            var resource = new JsonObject
            {
                ["name"] = kind.Plural,
                ["singularName"] = kind.Singular,
                ["namespaced"] = kind.Namespaced,
                ["kind"] = kind.Kind,
                ["verbs"] = new JsonArray(ItemVerbs.Select(v => (JsonNode)v).ToArray()),
            };
            if (kind.ShortNames.Length > 0)
            {
                resource["shortNames"] = new JsonArray(kind.ShortNames.Select(s => (JsonNode)s).ToArray());
            }

            resource["categories"] = new JsonArray("all");
            resources.Add(resource);
            foreach (var sub in kind.Subresources)
            {
                resources.Add(new JsonObject
                {
                    ["name"] = $"{kind.Plural}/{sub}",
                    ["singularName"] = "",
                    ["namespaced"] = kind.Namespaced,
                    ["kind"] = sub switch { "log" => "Pod", "proxy" => "ServiceProxyOptions", "scale" => "Scale", _ => kind.Kind },
                    ["verbs"] = sub switch
                    {
                        "log" => new JsonArray("get"),
                        "proxy" => new JsonArray("create", "delete", "get", "patch", "update"),
                        _ => new JsonArray("get", "patch", "update"),
                    },
                });
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }
}
