using System.Text;
using Flame.Po.Core.Analyses;
using Flame.Po.Dapr.Faults;
using Flame.Po.Integrations.Keycloak;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Archive;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Probing;
using Flame.Po.Lifecycle.Workloads;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static Flame.Po.Lifecycle.Reconciler.LifecycleAction;

namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>
/// Carries out one <see cref="LifecycleAction"/>. Kubernetes steps are idempotent (409 on create = already
/// there, 404 on delete = already gone); record changes are compare-and-swap writes; side effects that must
/// precede a record change (archive, Keycloak, token) run first and are safe to repeat. Fault points around
/// every step let tests kill the process between any two of them.
/// </summary>
public sealed class StepExecutor(
    AnalysisRepository repository,
    ClusterConnection cluster,
    AnalysisEndpoint endpoint,
    AnalysisArchive archive,
    IAnalysisClients keycloak,
    EventOutbox outbox,
    FaultPoints faults,
    IOptions<WorkloadSettings> workloadSettings,
    IOptions<LifecycleSettings> settings,
    IOptions<Integrations.Keycloak.KeycloakSettings> keycloakSettings,
    TimeProvider timeProvider,
    ILogger<StepExecutor> logger)
{
    public async Task<(StoredAnalysis? Stored, AnalysisObservation Observation)> ApplyAsync(
        StoredAnalysis stored, AnalysisObservation observation, LifecycleAction action, ClusterView view, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stored);
        ArgumentNullException.ThrowIfNull(action);
        var name = action.GetType().Name;
        using var activity = LifecycleTelemetry.Source.StartActivity($"step {name}");
        activity?.SetTag(LifecycleTelemetry.AnalysisIdTag, stored.Record.AnalysisId);
        faults.Reach(LifecycleFaultPoints.Before(action));
        var result = await ApplyCoreAsync(stored, observation, action, view, cancellationToken);
        faults.Reach(LifecycleFaultPoints.After(action));
        return result;
    }

    private async Task<(StoredAnalysis?, AnalysisObservation)> ApplyCoreAsync(
        StoredAnalysis stored, AnalysisObservation observation, LifecycleAction action, ClusterView view, CancellationToken cancellationToken)
    {
        var record = stored.Record;
        var names = WorkloadNames.For(record.AnalysisId, record.RestartCounter);
        switch (action)
        {
            case CreateObjects create:
                var created = await CreateObjectsAsync(record, names, create.Missing, observation, view, cancellationToken);
                return (stored, observation with { Present = observation.Present | created });
            case DeleteStaleObjects:
                await DeleteAsync(view.ObjectsOf(record.AnalysisId).Where(o => o is not V1Secret && ClusterSnapshot.DeploymentOf(o) != names.Deployment), cancellationToken);
                return (stored, observation with { StaleDeploymentObjects = false });
            case DeleteDeploymentObjects:
                await DeleteAsync(ExpectedDeploymentObjects(names).Concat(view.ObjectsOf(record.AnalysisId).Where(o => o is not V1Secret)), cancellationToken);
                return (stored, observation with { Present = DeploymentObjects.None, StaleDeploymentObjects = false, NginxReady = false, Probe = null });
            case DeleteAllObjects:
                // Secrets only as listed (with their uid): a stale actor must not delete the Secrets of a new
                // incarnation of the same analysis id, which could not be recreated (their values are not stored).
                await DeleteAsync(ExpectedDeploymentObjects(names).Concat(view.ObjectsOf(record.AnalysisId)), cancellationToken);
                return (stored, AnalysisObservation.Empty with { SecretsPresent = false });
            case UpdateNginxConfig:
                await UpdateNginxConfigAsync(record, names, observation, view, cancellationToken);
                return (stored, observation with { NginxConfigStale = false });
            case ArchiveDeployment:
                var snapshot = await PodLogCollector.CollectAsync(cluster.Client, cluster.Namespace, names, cancellationToken);
                await archive.StoreAsync(record, snapshot, cancellationToken);
                return (await SaveAsync(stored, action, cancellationToken), observation);
            case RefreshToken:
                return (await RefreshTokenAsync(stored, names, observation, cancellationToken), observation);
            case DeleteKeycloakClient:
                if (KeycloakConfigured)
                {
                    await keycloak.DeleteClientAsync(record.AnalysisId, cancellationToken);
                }

                return (await SaveAsync(stored, action, cancellationToken), observation);
            case Forget:
                await outbox.PublishAsync(
                    [.. record.PendingEvents, DeletedEvent(record)],
                    cancellationToken);
                await repository.DeleteAsync(stored, cancellationToken);
                return (null, observation);
            case Redeploy:
                return (await SaveAsync(stored, action, cancellationToken), AnalysisObservation.Empty with { SecretsPresent = observation.SecretsPresent, NodeServicesKnown = observation.NodeServicesKnown });
            default:
                return (await SaveAsync(stored, action, cancellationToken), observation);
        }
    }

    /// <summary>
    /// Deletes one object by kind and name — only if it is still the listed one when its uid is known; false
    /// when it was already gone (or replaced).
    /// </summary>
    public Task<bool> DeleteObjectAsync(IKubernetesObject<V1ObjectMeta> item, CancellationToken cancellationToken) =>
        cluster.Objects.DeleteIfPresentAsync(item, cancellationToken);

    private bool KeycloakConfigured => keycloakSettings.Value.ManagesClients;

    private async Task<StoredAnalysis> SaveAsync(StoredAnalysis stored, LifecycleAction action, CancellationToken cancellationToken)
    {
        var updated = RecordTransitions.Apply(stored.Record, action, timeProvider.GetUtcNow(), settings.Value.ToPolicy());
        return await repository.SaveAsync(stored, updated, cancellationToken);
    }

    private AnalysisManifests Manifests(AnalysisRecord record) => AnalysisManifests.For(
        new AnalysisWorkloadRequest
        {
            Namespace = cluster.Namespace,
            AnalysisId = record.AnalysisId,
            ProjectId = record.ProjectId,
            RestartCounter = record.RestartCounter,
            Image = record.ImageUrl,
        },
        workloadSettings.Value);

    private async Task<DeploymentObjects> CreateObjectsAsync(
        AnalysisRecord record, WorkloadNames names, DeploymentObjects missing, AnalysisObservation observation, ClusterView view, CancellationToken cancellationToken)
    {
        var manifests = Manifests(record);
        string? config = null;
        if ((missing & DeploymentObjects.Nginx) != DeploymentObjects.None)
        {
            var podIp = System.Net.IPAddress.Parse(observation.AnalysisPod?.PodIp ?? throw new InvalidOperationException("The analysis pod has no IP address yet."));
            config = view.Node.RenderNginxConfig(names, record.ProjectId, podIp);
        }

        var created = DeploymentObjects.None;
        foreach (var kind in CreationOrder.Objects.Where(kind => (missing & kind) != DeploymentObjects.None))
        {
            await cluster.Objects.CreateIfMissingAsync(manifests.Of(kind, config), cancellationToken);
            faults.Reach(LifecycleFaultPoints.Created(kind));
            created |= kind;
        }

        return created;
    }

    private async Task DeleteAsync(IEnumerable<IKubernetesObject<V1ObjectMeta>> items, CancellationToken cancellationToken)
    {
        foreach (var item in items.DistinctBy(i => (i.GetType(), i.Metadata.Name)))
        {
            await DeleteObjectAsync(item, cancellationToken);
        }
    }

    private static IEnumerable<IKubernetesObject<V1ObjectMeta>> ExpectedDeploymentObjects(WorkloadNames names)
    {
        // By name as well as from the tick's listing: objects created earlier in this tick are not in the listing.
        yield return new V1NetworkPolicy { Metadata = new V1ObjectMeta { Name = names.AnalysisNetworkPolicy } };
        yield return new V1NetworkPolicy { Metadata = new V1ObjectMeta { Name = names.NginxNetworkPolicy } };
        yield return new V1Deployment { Metadata = new V1ObjectMeta { Name = names.Nginx } };
        yield return new V1Service { Metadata = new V1ObjectMeta { Name = names.Nginx } };
        yield return new V1ConfigMap { Metadata = new V1ObjectMeta { Name = names.NginxConfigMap } };
        yield return new V1Deployment { Metadata = new V1ObjectMeta { Name = names.Deployment } };
        yield return new V1Service { Metadata = new V1ObjectMeta { Name = names.Deployment } };
    }

    /// <summary>Re-renders nginx.conf with today's pod IPs and rolls nginx through its config-hash annotation (docs/compatibility.md#b9).</summary>
    private async Task UpdateNginxConfigAsync(AnalysisRecord record, WorkloadNames names, AnalysisObservation observation, ClusterView view, CancellationToken cancellationToken)
    {
        var podIp = System.Net.IPAddress.Parse(observation.AnalysisPod?.PodIp ?? throw new InvalidOperationException("The analysis pod has no IP address."));
        var config = view.Node.RenderNginxConfig(names, record.ProjectId, podIp);
        var manifests = Manifests(record);
        var objects = cluster.Objects;
        var configMap = await objects.GetConfigMapAsync(names.NginxConfigMap, cancellationToken);
        configMap.Data = manifests.NginxConfigMap(config).Data;
        await objects.ReplaceAsync(configMap, cancellationToken);
        var nginx = await objects.GetDeploymentAsync(names.Nginx, cancellationToken);
        nginx.Spec.Template.Metadata.Annotations = manifests.NginxDeployment(config).Spec.Template.Metadata.Annotations;
        await objects.ReplaceAsync(nginx, cancellationToken);
        logger.LogInformation(Flame.Po.ServiceDefaults.Logging.LogEvents.Action, "Re-rendered the nginx config of {Deployment} for changed pod addresses", names.Deployment);
    }

    /// <summary>
    /// A new Keycloak token: written to the credentials Secret (a restarted container starts with it) and handed
    /// to the running analysis; renewed again after a fraction of its lifetime (docs/compatibility.md#token-refresh).
    /// </summary>
    private async Task<StoredAnalysis> RefreshTokenAsync(StoredAnalysis stored, WorkloadNames names, AnalysisObservation observation, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        DateTimeOffset refreshAt;
        if (!KeycloakConfigured)
        {
            logger.LogWarning("Keycloak is not configured: analysis {AnalysisId} starts without a Keycloak token", stored.Record.AnalysisId);
            refreshAt = DateTimeOffset.MaxValue;
        }
        else
        {
            var token = await keycloak.IssueTokenAsync(stored.Record.AnalysisId, cancellationToken);
            await WriteTokenToSecretAsync(names, token.AccessToken, cancellationToken);
            if (observation.NginxReady && stored.Record.Status is AnalysisStatus.Started or AnalysisStatus.Executing)
            {
                await endpoint.SendTokenAsync(names, token.AccessToken, cancellationToken);
            }

            var lifetime = token.ExpiresAt - token.IssuedAt;
            refreshAt = now + TimeSpan.FromTicks((long)(lifetime.Ticks * settings.Value.TokenRefreshFraction));
        }

        return await repository.SaveAsync(stored, stored.Record with { TokenRefreshAt = refreshAt, UpdatedAt = now }, cancellationToken);
    }

    /// <summary>Read-modify-write of the credentials Secret; a concurrent writer (another tick) makes it re-read.</summary>
    private async Task WriteTokenToSecretAsync(WorkloadNames names, string token, CancellationToken cancellationToken)
    {
        var objects = cluster.Objects;
        for (var attempt = 1; ; attempt++)
        {
            var secret = await objects.GetSecretAsync(names.CredentialsSecret, cancellationToken);
            secret.Data = new Dictionary<string, byte[]>(secret.Data ?? new Dictionary<string, byte[]>(), StringComparer.Ordinal)
            {
                [AnalysisManifests.KeycloakTokenKey] = Encoding.UTF8.GetBytes(token),
            };
            try
            {
                await objects.ReplaceAsync(secret, cancellationToken);
                return;
            }
            catch (HttpOperationException error) when (attempt < 5 && KubernetesErrors.Classify(error) == KubernetesFailure.Conflict)
            {
            }
        }
    }

    private AnalysisEvent DeletedEvent(AnalysisRecord record) => new()
    {
        EventId = $"{record.AnalysisId}:{record.Sequence + 1}",
        AnalysisId = record.AnalysisId,
        Sequence = record.Sequence + 1,
        DeploymentName = record.DeploymentName,
        From = record.Status,
        To = record.Status,
        Reason = StopReasons.DeletedByUser,
        RestartCounter = record.RestartCounter,
        Progress = record.Progress,
        Time = timeProvider.GetUtcNow(),
        Deleted = true,
    };
}
