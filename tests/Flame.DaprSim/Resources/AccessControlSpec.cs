using System.Text.Json.Nodes;

namespace Flame.DaprSim.Resources;

/// <summary><c>spec.accessControl</c> of a Configuration (Dapr docs: invoke-allowlist; daprd: pkg/config/configuration.go).</summary>
public sealed record AccessControlSpec(string DefaultAction, string TrustDomain, IReadOnlyList<AppPolicySpec> Policies)
{
    public static AccessControlSpec? Parse(JsonNode? node)
    {
        if (node is not JsonObject acl)
        {
            return null;
        }

        var policies = (acl["policies"] as JsonArray ?? []).OfType<JsonObject>().Select(p => new AppPolicySpec(
            YamlDocuments.Text(p["appId"]) ?? "",
            YamlDocuments.Text(p["defaultAction"]) ?? "",
            YamlDocuments.Text(p["trustDomain"]) ?? "",
            YamlDocuments.Text(p["namespace"]) ?? "",
            (p["operations"] as JsonArray ?? []).OfType<JsonObject>().Select(o => new OperationSpec(
                YamlDocuments.Text(o["name"]) ?? "",
                YamlDocuments.Strings(o["httpVerb"]),
                YamlDocuments.Text(o["action"]) ?? "")).ToList())).ToList();
        return new AccessControlSpec(YamlDocuments.Text(acl["defaultAction"]) ?? "", YamlDocuments.Text(acl["trustDomain"]) ?? "", policies);
    }
}

public sealed record AppPolicySpec(string AppId, string DefaultAction, string TrustDomain, string Namespace, IReadOnlyList<OperationSpec> Operations);

public sealed record OperationSpec(string Name, IReadOnlyList<string> HttpVerbs, string Action);
