namespace Flame.Po.Kubernetes.Models;

public sealed record NetworkPolicy() : KubernetesObject("networking.k8s.io/v1", "NetworkPolicy"), IKubernetesResource
{
    public static ResourceKind Resource => ResourceKind.NetworkPolicies;

    public NetworkPolicySpec? Spec { get; init; }
}

public sealed record NetworkPolicySpec : KubernetesModel
{
    public LabelSelector PodSelector { get; init; } = new();
    public IReadOnlyList<string>? PolicyTypes { get; init; }
    public IReadOnlyList<NetworkPolicyIngressRule>? Ingress { get; init; }
    public IReadOnlyList<NetworkPolicyEgressRule>? Egress { get; init; }
}

public sealed record NetworkPolicyIngressRule : KubernetesModel
{
    public IReadOnlyList<NetworkPolicyPeer>? From { get; init; }
    public IReadOnlyList<NetworkPolicyPort>? Ports { get; init; }
}

public sealed record NetworkPolicyEgressRule : KubernetesModel
{
    public IReadOnlyList<NetworkPolicyPeer>? To { get; init; }
    public IReadOnlyList<NetworkPolicyPort>? Ports { get; init; }
}

public sealed record NetworkPolicyPeer : KubernetesModel
{
    public LabelSelector? PodSelector { get; init; }
    public LabelSelector? NamespaceSelector { get; init; }
}

public sealed record NetworkPolicyPort : KubernetesModel
{
    public string? Protocol { get; init; }
    public IntOrString? Port { get; init; }
}
