using Flame.Po.Kubernetes.Models;

namespace Flame.Po.Kubernetes.Client;

/// <summary>One RBAC rule atom: API group (empty for core), resource (with subresource) and verb.</summary>
public sealed record KubernetesRbacRule(string ApiGroup, string Resource, string Verb);

/// <summary>
/// Every (apiGroup, resource, verb) the client's call sites can use. The RBAC Role is derived from this list;
/// a test maps every request the client sends to a tuple and checks it is listed here.
/// </summary>
public static class KubernetesPermissions
{
    public const string Create = "create";
    public const string Get = "get";
    public const string List = "list";
    public const string Watch = "watch";
    public const string Update = "update";
    public const string Patch = "patch";
    public const string Delete = "delete";

    public static IReadOnlyList<ResourceKind> Resources { get; } =
        [ResourceKind.Deployments, ResourceKind.Services, ResourceKind.NetworkPolicies, ResourceKind.ConfigMaps, ResourceKind.Secrets, ResourceKind.Pods];

    /// <summary>Verbs of <see cref="ResourceClient{T}"/>: create, get, list (+ watch), replace, apply, delete.</summary>
    public static IReadOnlyList<string> ResourceVerbs { get; } = [Create, Get, List, Watch, Update, Patch, Delete];

    public static IReadOnlyList<KubernetesRbacRule> All { get; } =
    [
        .. Resources.SelectMany(r => ResourceVerbs.Select(v => new KubernetesRbacRule(r.Group, r.Plural, v))),
        new("", "pods/log", Get),
        // Service proxy subresource (PO outside the cluster): GET and POST to the analysis.
        new("", "services/proxy", Get),
        new("", "services/proxy", Create),
    ];
}
