using Flame.Po.Kubernetes.Client;
using Flame.Po.Kubernetes.Models;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>
/// Every Kubernetes request the lifecycle's call sites send, as RBAC rules: the contract behind the Role in
/// <c>deploy/base/rbac.yaml</c>. Tests hold both ends: the Role must equal <see cref="InCluster"/>, and a
/// lifecycle run against the Sandbox must send exactly the requests of <see cref="All"/> — so a new call site
/// (say a watch or a patch) fails a test until it is listed here and granted in the Role.
/// </summary>
public static class LifecyclePermissions
{
    /// <summary>Rules needed wherever the PO runs: it lists by label each tick, creates, replaces whole objects and deletes.</summary>
    public static IReadOnlyList<KubernetesRbacRule> InCluster { get; } =
    [
        .. Rules(ResourceKind.Deployments, KubernetesPermissions.Create, KubernetesPermissions.Delete, KubernetesPermissions.Get, KubernetesPermissions.List, KubernetesPermissions.Update),
        .. Rules(ResourceKind.ConfigMaps, KubernetesPermissions.Create, KubernetesPermissions.Delete, KubernetesPermissions.Get, KubernetesPermissions.List, KubernetesPermissions.Update),
        .. Rules(ResourceKind.Secrets, KubernetesPermissions.Create, KubernetesPermissions.Delete, KubernetesPermissions.Get, KubernetesPermissions.List, KubernetesPermissions.Update),
        .. Rules(ResourceKind.Services, KubernetesPermissions.Create, KubernetesPermissions.Delete, KubernetesPermissions.List),
        .. Rules(ResourceKind.NetworkPolicies, KubernetesPermissions.Create, KubernetesPermissions.Delete, KubernetesPermissions.List),
        .. Rules(ResourceKind.Pods, KubernetesPermissions.Delete, KubernetesPermissions.List),
        new("", "pods/log", KubernetesPermissions.Get),
    ];

    /// <summary>
    /// Only with <c>ANALYSIS_ACCESS=proxy</c> (a PO outside the cluster): healthz (GET) and token and partner
    /// pushes (POST) go through the API server's service proxy. Not granted in the cluster, where the PO
    /// calls the analyses directly and their NetworkPolicies stay in the path.
    /// </summary>
    public static IReadOnlyList<KubernetesRbacRule> OutsideClusterOnly { get; } =
    [
        new("", "services/proxy", KubernetesPermissions.Get),
        new("", "services/proxy", KubernetesPermissions.Create),
    ];

    public static IReadOnlyList<KubernetesRbacRule> All { get; } = [.. InCluster, .. OutsideClusterOnly];

    private static IEnumerable<KubernetesRbacRule> Rules(ResourceKind kind, params string[] verbs) =>
        verbs.Select(verb => new KubernetesRbacRule(kind.Group, kind.Plural, verb));
}
