namespace Flame.Po.Kubernetes.Models;

/// <summary>Where a namespaced resource lives in the REST API (reference/kubernetes.md §3.1).</summary>
/// <param name="Group">API group; empty for the core group.</param>
/// <param name="Version">API version inside the group.</param>
/// <param name="Plural">Resource name in URLs and RBAC rules.</param>
/// <param name="Kind">Kind of the objects.</param>
public sealed record ResourceKind(string Group, string Version, string Plural, string Kind)
{
    public static readonly ResourceKind Deployments = new("apps", "v1", "deployments", "Deployment");
    public static readonly ResourceKind Services = new("", "v1", "services", "Service");
    public static readonly ResourceKind NetworkPolicies = new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy");
    public static readonly ResourceKind ConfigMaps = new("", "v1", "configmaps", "ConfigMap");
    public static readonly ResourceKind Secrets = new("", "v1", "secrets", "Secret");
    public static readonly ResourceKind Pods = new("", "v1", "pods", "Pod");

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>Collection path in a namespace, e.g. <c>/apis/apps/v1/namespaces/ns/deployments</c>.</summary>
    public string CollectionPath(string ns) =>
        $"{(Group.Length == 0 ? "/api/v1" : $"/apis/{Group}/{Version}")}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}";

    public string ItemPath(string ns, string name) => $"{CollectionPath(ns)}/{Uri.EscapeDataString(name)}";
}
