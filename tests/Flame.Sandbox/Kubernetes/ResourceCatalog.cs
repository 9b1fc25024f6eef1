namespace Flame.Sandbox.Kubernetes;

/// <summary>The resource types the PO uses, plus namespaces (kubectl and namespace checks need them).</summary>
public static class ResourceCatalog
{
    public static readonly ResourceKind Pods = new("", "v1", "pods", "pod", "Pod", true, ["po"], ["status", "log"]);
    public static readonly ResourceKind Services = new("", "v1", "services", "service", "Service", true, ["svc"], ["status", "proxy"]);
    public static readonly ResourceKind ConfigMaps = new("", "v1", "configmaps", "configmap", "ConfigMap", true, ["cm"], []);
    public static readonly ResourceKind Secrets = new("", "v1", "secrets", "secret", "Secret", true, [], []);
    public static readonly ResourceKind Namespaces = new("", "v1", "namespaces", "namespace", "Namespace", false, ["ns"], ["status"]);
    public static readonly ResourceKind Deployments = new("apps", "v1", "deployments", "deployment", "Deployment", true, ["deploy"], ["status", "scale"]);
    public static readonly ResourceKind NetworkPolicies = new("networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", true, ["netpol"], []);

    public static readonly IReadOnlyList<ResourceKind> All = [Pods, Services, ConfigMaps, Secrets, Namespaces, Deployments, NetworkPolicies];

    public static ResourceKind? Find(string group, string version, string plural) =>
        All.FirstOrDefault(k => k.Group == group && k.Version == version && k.Plural == plural);

    public static ResourceKind? ByKind(string apiVersion, string kind) =>
        All.FirstOrDefault(k => k.ApiVersion == apiVersion && k.Kind == kind);

    public static ResourceKind ByPlural(string plural) =>
        All.FirstOrDefault(k => k.Plural == plural) ?? throw new ArgumentException($"unknown resource {plural}", nameof(plural));

    public static IEnumerable<(string Group, string Version)> GroupVersions() =>
        All.Select(k => (k.Group, k.Version)).Distinct();
}
