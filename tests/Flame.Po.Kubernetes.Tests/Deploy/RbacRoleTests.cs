using Flame.Po.Kubernetes.Tests.Deploy.Support;
using Flame.Po.Lifecycle.Cluster;

namespace Flame.Po.Kubernetes.Tests.Deploy;

/// <summary>
/// The Role in deploy/ grants exactly <see cref="LifecyclePermissions.InCluster"/>, the list kept next to the
/// lifecycle's call sites (Flame.Po.IntegrationTests' RbacCoverageTests checks that list against the requests
/// a lifecycle run really sends).
/// </summary>
public sealed class RbacRoleTests
{
    public static TheoryData<string> Overlays => [.. Kustomize.Overlays];

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_role_grants_exactly_what_the_lifecycle_uses_in_the_cluster(string overlay)
    {
        var objects = YamlDocuments.Parse(await Kustomize.RenderOverlayAsync(overlay));

        var granted = DeployManifestChecks.OfKind(objects, "Role").Should().ContainSingle().Subject["rules"]!.AsArray()
            .SelectMany(rule => rule!["apiGroups"]!.AsArray().SelectMany(group => rule["resources"]!.AsArray().SelectMany(resource => rule["verbs"]!.AsArray().Select(verb =>
                new KubernetesRbacRule(group!.GetValue<string>(), resource!.GetValue<string>(), verb!.GetValue<string>())))))
            .ToList();

        granted.Should().OnlyHaveUniqueItems();
        granted.Should().BeEquivalentTo(LifecyclePermissions.InCluster);
        granted.Select(r => r.Verb).Should().NotContain(["watch", "patch", "*"], "the PO neither watches nor patches (docs/compatibility.md#kubernetes-objects)");
    }

    [Fact]
    public void The_service_proxy_is_granted_only_to_a_po_outside_the_cluster() =>
        LifecyclePermissions.InCluster.Should().NotContain(r => r.Resource.EndsWith("/proxy", StringComparison.Ordinal));

    [Fact]
    public void The_lifecycle_asks_only_for_the_kinds_it_owns_and_their_subresources() =>
        LifecyclePermissions.All.Should().OnlyContain(r =>
            new[] { "deployments", "services", "networkpolicies", "configmaps", "secrets", "pods", "pods/log", "services/proxy" }.Contains(r.Resource)
            && new[] { "create", "get", "list", "update", "delete" }.Contains(r.Verb));
}
