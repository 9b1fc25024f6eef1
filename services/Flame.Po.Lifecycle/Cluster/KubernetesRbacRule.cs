namespace Flame.Po.Lifecycle.Cluster;

/// <summary>One RBAC rule atom: API group (empty for core), resource (with subresource) and verb.</summary>
public sealed record KubernetesRbacRule(string ApiGroup, string Resource, string Verb)
{
    public const string Create = "create";
    public const string Get = "get";
    public const string List = "list";
    public const string Update = "update";
    public const string Delete = "delete";
}
