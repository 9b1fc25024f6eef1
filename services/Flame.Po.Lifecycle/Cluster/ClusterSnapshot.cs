using Flame.Po.Lifecycle.Workloads;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>
/// One tick's view of the namespace: six list requests, whatever the number of analyses
/// (docs/architecture.md#the-lifecycle-of-an-analysis). Our own
/// kinds are listed by the ownership label (Secrets and NetworkPolicies as metadata only); Services and Pods in full, because
/// node-service discovery needs the message broker's and the PO's too. The lists are not paged: with pages of 500, 1,000 analyses (2,000 pods)
/// would cost a request per page, and the API server answers a full list from its watch cache anyway.
/// </summary>
public sealed record ClusterSnapshot(
    IReadOnlyList<V1Deployment> Deployments,
    IReadOnlyList<V1Service> Services,
    IReadOnlyList<V1Pod> Pods,
    IReadOnlyList<V1NetworkPolicy> NetworkPolicies,
    IReadOnlyList<V1ConfigMap> ConfigMaps,
    IReadOnlyList<V1Secret> Secrets)
{
    public static ClusterSnapshot Empty { get; } = new([], [], [], [], [], []);

    /// <summary>Lists everything the PO owns, or (with <paramref name="analysisId"/>) one analysis' objects.</summary>
    public static Task<ClusterSnapshot> LoadAsync(IKubernetes client, string ns, string? analysisId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        return analysisId is null ? LoadAllAsync(client, ns, cancellationToken) : LoadAnalysisAsync(client, ns, analysisId, cancellationToken);
    }

    /// <summary>Every object labelled as ours, of the kinds the PO creates (pods follow their Deployment).</summary>
    public IEnumerable<IKubernetesObject<V1ObjectMeta>> OwnedObjects() =>
        Deployments.Cast<IKubernetesObject<V1ObjectMeta>>()
            .Concat(Services).Concat(NetworkPolicies).Concat(ConfigMaps).Concat(Secrets)
            .Where(IsOwned);

    public static bool IsOwned(IKubernetesObject<V1ObjectMeta> item) =>
        item.Metadata.Labels is { } labels
        && labels.TryGetValue(WorkloadLabels.ManagedBy, out var managedBy) && managedBy == WorkloadLabels.ManagedByValue
        && labels.ContainsKey(WorkloadLabels.AnalysisId);

    public static string? AnalysisIdOf(IKubernetesObject<V1ObjectMeta> item) =>
        item.Metadata.Labels is { } labels && labels.TryGetValue(WorkloadLabels.AnalysisId, out var id) ? id : null;

    public static string? DeploymentOf(IKubernetesObject<V1ObjectMeta> item) =>
        item.Metadata.Labels is { } labels && labels.TryGetValue(WorkloadLabels.DeploymentName, out var name) ? name : null;

    private static async Task<ClusterSnapshot> LoadAllAsync(IKubernetes client, string ns, CancellationToken cancellationToken)
    {
        var owned = WorkloadLabels.ManagedSelector;
        var deployments = client.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: owned, cancellationToken: cancellationToken);
        var services = client.CoreV1.ListNamespacedServiceAsync(ns, cancellationToken: cancellationToken);
        var pods = client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: cancellationToken);
        var policies = ListNetworkPolicyMetadataAsync(client, ns, owned, cancellationToken);
        var configMaps = client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: owned, cancellationToken: cancellationToken);
        var secrets = ListSecretMetadataAsync(client, ns, owned, cancellationToken);
        await Task.WhenAll(deployments, services, pods, policies, configMaps, secrets);
        return new ClusterSnapshot(
            [.. (await deployments).Items], [.. (await services).Items], [.. (await pods).Items],
            [.. await policies], [.. (await configMaps).Items], [.. await secrets]);
    }

    /// <summary>
    /// One analysis' objects plus only the node services and source pods its nginx config needs: nine small lists
    /// whose size does not depend on the number of analyses. Listing the whole namespace here instead (as a tick
    /// does) made a burst of N creates cost N full lists, quadratic in N.
    /// </summary>
    private static async Task<ClusterSnapshot> LoadAnalysisAsync(IKubernetes client, string ns, string analysisId, CancellationToken cancellationToken)
    {
        var owned = WorkloadLabels.AnalysisSelector(analysisId);
        var deployments = client.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: owned, cancellationToken: cancellationToken);
        var services = client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: owned, cancellationToken: cancellationToken);
        var componentServices = client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: NodeServiceDiscovery.ComponentServicesSelector, cancellationToken: cancellationToken);
        var kongServices = client.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: NodeServiceDiscovery.KongServicesSelector, cancellationToken: cancellationToken);
        var pods = client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: owned, cancellationToken: cancellationToken);
        var sourcePods = client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: NodeServiceDiscovery.SourcePodsSelector, cancellationToken: cancellationToken);
        var policies = ListNetworkPolicyMetadataAsync(client, ns, owned, cancellationToken);
        var configMaps = client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: owned, cancellationToken: cancellationToken);
        var secrets = ListSecretMetadataAsync(client, ns, owned, cancellationToken);
        await Task.WhenAll(deployments, services, componentServices, kongServices, pods, sourcePods, policies, configMaps, secrets);
        return new ClusterSnapshot(
            [.. (await deployments).Items],
            DistinctByUid((await services).Items.Concat((await componentServices).Items).Concat((await kongServices).Items)),
            DistinctByUid((await pods).Items.Concat((await sourcePods).Items)),
            [.. await policies], [.. (await configMaps).Items], [.. await secrets]);
    }

    /// <summary>
    /// A list of the owned Secrets or NetworkPolicies as metadata only (<c>PartialObjectMetadataList</c>, as
    /// client-go's metadata client asks for it, with plain JSON as the fallback of an API server that cannot convert):
    /// a tick needs their names, labels and uids. A Secret's registry credentials and tokens are so neither sent nor
    /// held in memory; a policy's rules are written from the manifests and never read back (two policies an analysis,
    /// with their peers and selectors, were about a fifth of a tick's objects).
    /// </summary>
    private static async Task<IList<T>> MetadataOnlyAsync<TList, T>(
        Func<IReadOnlyDictionary<string, IReadOnlyList<string>>, Task<HttpOperationResponse<TList>>> list)
        where TList : IItems<T>
    {
        using var response = await list(MetadataOnly);
        return response.Body.Items;
    }

    private static Task<IList<V1Secret>> ListSecretMetadataAsync(IKubernetes client, string ns, string selector, CancellationToken cancellationToken) =>
        MetadataOnlyAsync<V1SecretList, V1Secret>(headers =>
            client.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(ns, labelSelector: selector, customHeaders: headers, cancellationToken: cancellationToken));

    private static Task<IList<V1NetworkPolicy>> ListNetworkPolicyMetadataAsync(IKubernetes client, string ns, string selector, CancellationToken cancellationToken) =>
        MetadataOnlyAsync<V1NetworkPolicyList, V1NetworkPolicy>(headers =>
            client.NetworkingV1.ListNamespacedNetworkPolicyWithHttpMessagesAsync(ns, labelSelector: selector, customHeaders: headers, cancellationToken: cancellationToken));

    /// <summary>The <c>Accept</c> header of a metadata-only list.</summary>
    public const string MetadataListAccept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

    private static readonly Dictionary<string, IReadOnlyList<string>> MetadataOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Accept"] = [MetadataListAccept, "application/json"],
    };

    private static List<T> DistinctByUid<T>(IEnumerable<T> items)
        where T : IKubernetesObject<V1ObjectMeta> =>
        items.DistinctBy(item => item.Metadata.Uid ?? $"{item.Metadata.Namespace}/{item.Metadata.Name}", StringComparer.Ordinal).ToList();
}
