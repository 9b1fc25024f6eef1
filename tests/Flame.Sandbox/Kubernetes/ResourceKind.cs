namespace Flame.Sandbox.Kubernetes;

/// <summary>One served resource type: where it lives on the wire and what it is called.</summary>
public sealed record ResourceKind(
    string Group,
    string Version,
    string Plural,
    string Singular,
    string Kind,
    bool Namespaced,
    string[] ShortNames,
    string[] Subresources)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string ListKind => Kind + "List";

    /// <summary>The "resource.group" form the apiserver uses in messages, e.g. <c>deployments.apps</c>.</summary>
    public string QualifiedPlural => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>The "Kind.group" form used in 422 messages, e.g. <c>Deployment.apps</c>.</summary>
    public string QualifiedKind => Group.Length == 0 ? Kind : $"{Kind}.{Group}";

    public bool HasGeneration => Plural is "deployments" or "networkpolicies";

    /// <summary>
    /// Whether a DELETE answers with the object instead of a Success <c>Status</c>: the apiserver's registries for
    /// pods, services and namespaces set <c>ReturnDeletedObject: true</c>; the others answer a Status once the object is gone.
    /// </summary>
    public bool ReturnsDeletedObject => Plural is "pods" or "services" or "namespaces";
}
