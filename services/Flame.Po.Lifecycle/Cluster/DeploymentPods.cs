using Flame.Po.Lifecycle.Workloads;
using k8s;
using k8s.Models;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>
/// The PO's pods in its namespace (docs/compatibility.md#b4), listed by label in one request whatever the number of
/// analyses and indexed by their <c>app</c> label (<c>D</c> or <c>nginx-D</c>). Pods are found from the deployment
/// name of the analysis' current record, never from a pod list recorded at creation (it went stale when Kubernetes
/// replaced a pod, docs/compatibility.md#pods).
/// </summary>
public sealed class DeploymentPods
{
    private readonly Dictionary<string, List<V1Pod>> _byApp;

    private DeploymentPods(IEnumerable<V1Pod> pods)
    {
        _byApp = pods
            .Where(pod => pod.Metadata.Labels?.ContainsKey(WorkloadLabels.App) == true)
            .OrderBy(pod => pod.Metadata.CreationTimestamp ?? DateTime.MinValue)
            .ThenBy(pod => pod.Metadata.Name, StringComparer.Ordinal)
            .GroupBy(pod => pod.Metadata.Labels![WorkloadLabels.App], StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.ToList(), StringComparer.Ordinal);
    }

    /// <summary>Pods of one deployment (analysis and nginx), or of every deployment the PO manages when null.</summary>
    public static async Task<DeploymentPods> ListAsync(IKubernetes client, string ns, string? deploymentName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var selector = deploymentName is null ? WorkloadLabels.ManagedSelector : $"{WorkloadLabels.DeploymentName}={deploymentName}";
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector, cancellationToken: cancellationToken);
        return new DeploymentPods(pods.Items);
    }

    /// <summary>Pods labelled <c>app=<paramref name="app"/></c>, oldest first.</summary>
    public IReadOnlyList<V1Pod> Of(string app) => _byApp.TryGetValue(app, out var pods) ? pods : [];
}
