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
    public static async Task<ClusterSnapshot> LoadAsync(KubernetesClient client, string? analysisId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var owned = new ListOptions { LabelSelector = analysisId is null ? WorkloadLabels.ManagedSelector : WorkloadLabels.AnalysisSelector(analysisId), Limit = ListOptions.Unpaged };
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
}
