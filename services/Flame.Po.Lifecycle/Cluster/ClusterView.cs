using System.Net;

using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Reconciler;
using Flame.Po.Lifecycle.Workloads;
using k8s;
using k8s.Models;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>
/// A <see cref="ClusterSnapshot"/> indexed by analysis id and <c>app</c> label, so observing N analyses costs
/// O(N) in memory and no further requests.
/// </summary>
public sealed class ClusterView
{
    private readonly Dictionary<string, List<IKubernetesObject<V1ObjectMeta>>> _owned;
    private readonly Dictionary<string, List<V1Pod>> _podsByApp;

    public ClusterView(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        Snapshot = snapshot;
        Node = NodeContext.Discover(snapshot);
        _owned = snapshot.OwnedObjects()
            .GroupBy(item => ClusterSnapshot.AnalysisIdOf(item)!, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.ToList(), StringComparer.Ordinal);
        _podsByApp = snapshot.Pods
            .Where(pod => pod.Metadata.Labels?.ContainsKey(WorkloadLabels.App) == true)
            .GroupBy(pod => pod.Metadata.Labels![WorkloadLabels.App], StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.ToList(), StringComparer.Ordinal);
    }

    public ClusterSnapshot Snapshot { get; }

    public NodeContext Node { get; }

    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> ObjectsOf(string analysisId) =>
        _owned.TryGetValue(analysisId, out var objects) ? objects : [];

    /// <summary>The newest live pod with the given <c>app</c> label.</summary>
    public V1Pod? NewestPod(string app) =>
        _podsByApp.TryGetValue(app, out var pods)
            ? pods.Where(pod => pod.Metadata.DeletionTimestamp is null).MaxBy(pod => pod.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue)
            : null;

    /// <summary>All pods with the given <c>app</c> label (for log snapshots).</summary>
    public IReadOnlyList<V1Pod> PodsOf(string app) => _podsByApp.TryGetValue(app, out var pods) ? pods : [];

    /// <summary>What the reconciler needs to decide about <paramref name="record"/>.</summary>
    public AnalysisObservation Observe(AnalysisRecord record, ProbeResult? probe)
    {
        ArgumentNullException.ThrowIfNull(record);
        var names = WorkloadNames.For(record.AnalysisId, record.RestartCounter);
        var objects = ObjectsOf(record.AnalysisId);
        var present = DeploymentObjects.None;
        var stale = false;
        V1ConfigMap? configMap = null;
        V1Deployment? nginx = null;
        foreach (var item in objects)
        {
            if (item is V1Secret)
            {
                continue;
            }

            if (ClusterSnapshot.DeploymentOf(item) != names.Deployment)
            {
                stale = true;
                continue;
            }

            if (item.Metadata.DeletionTimestamp is null && KindOf(item, names) is var kind && kind != DeploymentObjects.None)
            {
                present |= kind;
                configMap = item as V1ConfigMap ?? configMap;
                nginx = kind == DeploymentObjects.NginxDeployment ? (V1Deployment)item : nginx;
            }
        }

        var secrets = objects.OfType<V1Secret>().Where(s => s.Metadata.DeletionTimestamp is null).Select(s => s.Metadata.Name).ToHashSet(StringComparer.Ordinal);
        var analysisPod = NewestPod(names.Deployment);
        var observedPod = analysisPod is null ? null : PodObservations.From(analysisPod, names.Deployment);
        return new AnalysisObservation
        {
            Present = present,
            StaleDeploymentObjects = stale,
            SecretsPresent = secrets.Contains(names.PullSecret) && secrets.Contains(names.CredentialsSecret),
            AnyObjectPresent = objects.Count > 0,
            AnalysisPod = observedPod,
            NginxReady = NginxReady(names),
            NginxConfigStale = configMap is not null && observedPod?.PodIp is { } ip && IsStale(configMap, nginx, names, record.ProjectId, ip),
            NodeServicesKnown = Node.IsKnown,
            Probe = probe,
        };
    }

    /// <summary>Whether the nginx pod of the deployment runs: only then is a probe through it meaningful.</summary>
    public bool NginxReady(WorkloadNames names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var pod = NewestPod(names.Nginx);
        return pod?.Status is { Phase: "Running" } status
            && status.ContainerStatuses?.Any(c => c.State?.Running is not null) == true;
    }

    /// <summary>
    /// Whether the nginx ConfigMap, or the config hash on the nginx pod template, differs from the config rendered
    /// with today's pod IPs. The update writes the ConfigMap before it rolls nginx; a process that stops between the
    /// two leaves a current ConfigMap and an old hash, and the next tick rolls nginx.
    /// </summary>
    private bool IsStale(V1ConfigMap configMap, V1Deployment? nginx, WorkloadNames names, string projectId, string podIp)
    {
        if (!Node.IsKnown || !IPAddress.TryParse(podIp, out var ip))
        {
            return false;
        }

        var wanted = Node.RenderNginxConfig(names, projectId, ip);
        var current = configMap.Data is { } data && data.TryGetValue(AnalysisManifests.NginxConfigKey, out var text) ? text : null;
        if (current != wanted)
        {
            return true;
        }

        var rolled = nginx?.Spec?.Template?.Metadata?.Annotations is { } annotations
            && annotations.TryGetValue(AnalysisManifests.NginxConfigHashAnnotation, out var hash) ? hash : null;
        return nginx is not null && rolled != AnalysisManifests.NginxConfigHash(wanted);
    }

    private static DeploymentObjects KindOf(IKubernetesObject<V1ObjectMeta> item, WorkloadNames names) => (item, item.Metadata.Name) switch
    {
        (V1NetworkPolicy, var n) when n == names.AnalysisNetworkPolicy => DeploymentObjects.AnalysisPolicy,
        (V1NetworkPolicy, var n) when n == names.NginxNetworkPolicy => DeploymentObjects.NginxPolicy,
        (V1Deployment, var n) when n == names.Deployment => DeploymentObjects.AnalysisDeployment,
        (V1Deployment, var n) when n == names.Nginx => DeploymentObjects.NginxDeployment,
        (V1Service, var n) when n == names.Deployment => DeploymentObjects.AnalysisService,
        (V1Service, var n) when n == names.Nginx => DeploymentObjects.NginxService,
        (V1ConfigMap, var n) when n == names.NginxConfigMap => DeploymentObjects.NginxConfigMap,
        _ => DeploymentObjects.None,
    };
}
