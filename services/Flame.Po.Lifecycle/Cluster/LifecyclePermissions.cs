namespace Flame.Po.Lifecycle.Cluster;

/// <summary>
/// Every Kubernetes request the lifecycle's call sites send, as RBAC rules: the contract behind the Role in
/// <c>deploy/base/rbac.yaml</c>. Tests hold both ends: the Role must equal <see cref="InCluster"/>, and a
/// lifecycle run against the Sandbox must send exactly the requests of <see cref="All"/> — so a new call site
/// (say a watch or a patch) fails a test until it is listed here and granted in the Role.
/// </summary>
public static class LifecyclePermissions
{
    private const string Apps = "apps";
    private const string Networking = "networking.k8s.io";
    private const string Core = "";

    /// <summary>Rules needed wherever the PO runs: it lists by label each tick, creates, replaces whole objects and deletes.</summary>
    public static IReadOnlyList<KubernetesRbacRule> InCluster { get; } =
    [
        .. Rules(Apps, "deployments", KubernetesRbacRule.Create, KubernetesRbacRule.Delete, KubernetesRbacRule.Get, KubernetesRbacRule.List, KubernetesRbacRule.Update),
        .. Rules(Core, "configmaps", KubernetesRbacRule.Create, KubernetesRbacRule.Delete, KubernetesRbacRule.Get, KubernetesRbacRule.List, KubernetesRbacRule.Update),
        .. Rules(Core, "secrets", KubernetesRbacRule.Create, KubernetesRbacRule.Delete, KubernetesRbacRule.Get, KubernetesRbacRule.List, KubernetesRbacRule.Update),
        .. Rules(Core, "services", KubernetesRbacRule.Create, KubernetesRbacRule.Delete, KubernetesRbacRule.List),
        .. Rules(Networking, "networkpolicies", KubernetesRbacRule.Create, KubernetesRbacRule.Delete, KubernetesRbacRule.List),
        .. Rules(Core, "pods", KubernetesRbacRule.Delete, KubernetesRbacRule.List),
        new(Core, "pods/log", KubernetesRbacRule.Get),
    ];

    /// <summary>
    /// Only with <c>ANALYSIS_ACCESS=proxy</c> (a PO outside the cluster): healthz (GET) and token and partner
    /// pushes (POST) go through the API server's service proxy. Not granted in the cluster, where the PO
    /// calls the analyses directly and their NetworkPolicies stay in the path.
    /// </summary>
    public static IReadOnlyList<KubernetesRbacRule> OutsideClusterOnly { get; } =
    [
        new(Core, "services/proxy", KubernetesRbacRule.Get),
        new(Core, "services/proxy", KubernetesRbacRule.Create),
    ];

    public static IReadOnlyList<KubernetesRbacRule> All { get; } = [.. InCluster, .. OutsideClusterOnly];

    private static IEnumerable<KubernetesRbacRule> Rules(string group, string resource, params string[] verbs) =>
        verbs.Select(verb => new KubernetesRbacRule(group, resource, verb));
}
