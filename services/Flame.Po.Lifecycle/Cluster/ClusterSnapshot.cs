using Flame.Po.Kubernetes.Client;
using Flame.Po.Kubernetes.Models;
using Flame.Po.Lifecycle.Workloads;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>
/// One tick's view of the namespace: six list requests, whatever the number of analyses (DESIGN §4). Our own
/// kinds are listed by the ownership label; Services and Pods in full, because node-service discovery needs
/// the message broker's and the PO's too. The lists are not paged: with pages of 500, 1,000 analyses (2,000 pods)
/// would cost a request per page, and the API server answers a full list from its watch cache anyway.
/// </summary>
public sealed record ClusterSnapshot(
    IReadOnlyList<Deployment> Deployments,
    IReadOnlyList<Service> Services,
    IReadOnlyList<Pod> Pods,
    IReadOnlyList<NetworkPolicy> NetworkPolicies,
    IReadOnlyList<ConfigMap> ConfigMaps,
    IReadOnlyList<Secret> Secrets)
{
    public static ClusterSnapshot Empty { get; } = new([], [], [], [], [], []);

    /// <summary>Lists everything the PO owns, or (with <paramref name="analysisId"/>) one analysis' objects.</summary>
    public static Task<ClusterSnapshot> LoadAsync(KubernetesClient client, string? analysisId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        return analysisId is null ? LoadAllAsync(client, cancellationToken) : LoadAnalysisAsync(client, analysisId, cancellationToken);
    }

    /// <summary>Every object labelled as ours, of the kinds the PO creates (pods follow their Deployment).</summary>
    /// <summary>Every object labelled as ours, of the kinds the PO creates (pods follow their Deployment).</summary>
    public IEnumerable<KubernetesObject> OwnedObjects() =>
        Deployments.Cast<KubernetesObject>()
            .Concat(Services).Concat(NetworkPolicies).Concat(ConfigMaps).Concat(Secrets)
            .Where(IsOwned);

    public static bool IsOwned(KubernetesObject item) =>
        item.Metadata.Labels is { } labels
        && labels.TryGetValue(WorkloadLabels.ManagedBy, out var managedBy) && managedBy == WorkloadLabels.ManagedByValue
        && labels.ContainsKey(WorkloadLabels.AnalysisId);

    public static string? AnalysisIdOf(KubernetesObject item) =>
        item.Metadata.Labels is { } labels && labels.TryGetValue(WorkloadLabels.AnalysisId, out var id) ? id : null;

    public static string? DeploymentOf(KubernetesObject item) =>
        item.Metadata.Labels is { } labels && labels.TryGetValue(WorkloadLabels.DeploymentName, out var name) ? name : null;

    private static async Task<ClusterSnapshot> LoadAllAsync(KubernetesClient client, CancellationToken cancellationToken)
    {
        var owned = new ListOptions { LabelSelector = WorkloadLabels.ManagedSelector, Limit = ListOptions.Unpaged };
        var everything = new ListOptions { Limit = ListOptions.Unpaged };
        var deployments = client.Deployments().ListAllAsync(owned, cancellationToken);
        var services = client.Services().ListAllAsync(everything, cancellationToken);
        var pods = client.Pods().ListAllAsync(everything, cancellationToken);
        var policies = client.NetworkPolicies().ListAllAsync(owned, cancellationToken);
        var configMaps = client.ConfigMaps().ListAllAsync(owned, cancellationToken);
        var secrets = client.Secrets().ListAllAsync(owned, cancellationToken);
        await Task.WhenAll(deployments, services, pods, policies, configMaps, secrets);
        return new ClusterSnapshot(
            (await deployments).Items, (await services).Items, (await pods).Items,
            (await policies).Items, (await configMaps).Items, (await secrets).Items);
    }

    /// <summary>
    /// One analysis' objects plus only the node services and source pods its nginx config needs: nine small lists
    /// whose size does not depend on the number of analyses. Listing the whole namespace here instead (as a tick
    /// does) made a burst of N creates cost N full lists, quadratic in N.
    /// </summary>
    private static async Task<ClusterSnapshot> LoadAnalysisAsync(KubernetesClient client, string analysisId, CancellationToken cancellationToken)
    {
        var owned = new ListOptions { LabelSelector = WorkloadLabels.AnalysisSelector(analysisId), Limit = ListOptions.Unpaged };
        var deployments = client.Deployments().ListAllAsync(owned, cancellationToken);
        var services = client.Services().ListAllAsync(owned, cancellationToken);
        var componentServices = client.Services().ListAllAsync(new ListOptions { LabelSelector = NodeServiceDiscovery.ComponentServicesSelector, Limit = ListOptions.Unpaged }, cancellationToken);
        var kongServices = client.Services().ListAllAsync(new ListOptions { LabelSelector = NodeServiceDiscovery.KongServicesSelector, Limit = ListOptions.Unpaged }, cancellationToken);
        var pods = client.Pods().ListAllAsync(owned, cancellationToken);
        var sourcePods = client.Pods().ListAllAsync(new ListOptions { LabelSelector = NodeServiceDiscovery.SourcePodsSelector, Limit = ListOptions.Unpaged }, cancellationToken);
        var policies = client.NetworkPolicies().ListAllAsync(owned, cancellationToken);
        var configMaps = client.ConfigMaps().ListAllAsync(owned, cancellationToken);
        var secrets = client.Secrets().ListAllAsync(owned, cancellationToken);
        await Task.WhenAll(deployments, services, componentServices, kongServices, pods, sourcePods, policies, configMaps, secrets);
        return new ClusterSnapshot(
            (await deployments).Items,
            DistinctByUid((await services).Items.Concat((await componentServices).Items).Concat((await kongServices).Items)),
            DistinctByUid((await pods).Items.Concat((await sourcePods).Items)),
            (await policies).Items, (await configMaps).Items, (await secrets).Items);
    }

    private static List<T> DistinctByUid<T>(IEnumerable<T> items)
        where T : KubernetesObject =>
        items.DistinctBy(item => item.Metadata.Uid ?? $"{item.Metadata.Namespace}/{item.Metadata.Name}", StringComparer.Ordinal).ToList();
}
