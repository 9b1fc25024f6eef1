using System.Globalization;

using Flame.Po.Core.Analyses;
using Flame.Po.Core.Contracts;
using Flame.Po.Integrations.Keycloak;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Reconciler;
using Flame.Po.Lifecycle.Workloads;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Flame.Po.Lifecycle.Commands;

/// <summary>
/// <c>DELETE /po/cleanup/{types}</c> (docs/compatibility.md#cleanup): maintenance actions, each reporting what it
/// did, followed by the zombie sweep — the status loop's <see cref="OrphanSweep"/>, with its grace and its re-read of
/// the record (a create may be in flight). Deleting analyses goes through the normal delete path, so their Keycloak
/// clients and objects go too.
/// </summary>
public sealed class CleanupCommands(
    AnalysisCommands commands,
    AnalysisRepository repository,
    ClusterConnection cluster,
    OrphanSweep orphans,
    IAnalysisClients keycloak,
    NpgsqlDataSource dataSource,
    IOptions<KeycloakSettings> keycloakSettings,
    TimeProvider timeProvider)
{
    public async Task<CommandOutcome> CleanupAsync(IReadOnlyList<string> types, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(types);
        var unknown = types.Where(t => !CleanupTypes.IsKnown(t)).ToList();
        if (types.Count == 0 || unknown.Count > 0)
        {
            return CommandOutcome.Failed(CommandOutcomeKind.Invalid, $"Unknown cleanup type(s): {string.Join(", ", unknown)} (known types: {string.Join(", ", CleanupTypes.Known)}).");
        }

        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var type in types.Distinct(StringComparer.Ordinal))
        {
            switch (type)
            {
                case CleanupTypes.All:
                    await DeleteAnalysesAsync(cancellationToken);
                    await ClearArchiveAsync(cancellationToken);
                    await RestartPodAsync(NodeServiceDiscovery.MessageBrokerComponent, cancellationToken);
                    await RestartPodAsync(NodeServiceDiscovery.StorageComponent, cancellationToken);
                    result[CleanupTypes.Keycloak] = await DeleteOrphanClientsAsync(cancellationToken);
                    result[CleanupTypes.All] = "Deleted every analysis and the archive; reset message broker and storage service.";
                    break;
                case CleanupTypes.Analyses:
                    result[CleanupTypes.Analyses] = await DeleteAnalysesAsync(cancellationToken);
                    break;
                case CleanupTypes.Services:
                    result[CleanupTypes.Services] = $"{await RestartPodAsync(NodeServiceDiscovery.MessageBrokerComponent, cancellationToken)} {await RestartPodAsync(NodeServiceDiscovery.StorageComponent, cancellationToken)}";
                    break;
                case CleanupTypes.MessageBroker:
                    result[CleanupTypes.MessageBroker] = await RestartPodAsync(NodeServiceDiscovery.MessageBrokerComponent, cancellationToken);
                    break;
                case CleanupTypes.Storage:
                    result[CleanupTypes.Storage] = await RestartPodAsync(NodeServiceDiscovery.StorageComponent, cancellationToken);
                    break;
                case CleanupTypes.Keycloak:
                    result[CleanupTypes.Keycloak] = await DeleteOrphanClientsAsync(cancellationToken);
                    break;
            }
        }

        result[CleanupTypes.Zombies] = await SweepZombiesAsync(cancellationToken);
        return CommandOutcome.Accepted(result);
    }

    private async Task<string> DeleteAnalysesAsync(CancellationToken cancellationToken)
    {
        var ids = (await repository.ListAsync(activeOnly: false, cancellationToken))
            .Where(s => s.Record.Desired != DesiredState.Deleted)
            .Select(s => s.Record.AnalysisId)
            .ToList();
        await commands.DeleteAsync(ids, cancellationToken);
        return string.Create(CultureInfo.InvariantCulture, $"Deleted {ids.Count} analysis deployments and associated resources from database ([{string.Join(", ", ids)}])");
    }

    private async Task ClearArchiveAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM archive");
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes the pods of a node service; their Deployment recreates them (the nginx configs follow, docs/compatibility.md#b9).</summary>
    private async Task<string> RestartPodAsync(string component, CancellationToken cancellationToken)
    {
        var pods = await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace, labelSelector: $"{WorkloadLabels.Component}={component}", cancellationToken: cancellationToken);
        var objects = cluster.Objects;
        foreach (var pod in pods.Items)
        {
            await objects.DeleteIfPresentAsync(pod, cancellationToken);
        }

        var name = component == NodeServiceDiscovery.MessageBrokerComponent ? "message broker" : "storage service";
        return pods.Items.Count == 0 ? $"No {name} pod found (label component={component})." : $"Reset {name}";
    }

    private async Task<string> DeleteOrphanClientsAsync(CancellationToken cancellationToken)
    {
        if (!keycloakSettings.Value.ManagesClients)
        {
            return "Keycloak is not configured; no client deleted.";
        }

        var known = (await repository.ListAsync(activeOnly: false, cancellationToken))
            .Where(s => s.Record.Desired != DesiredState.Deleted)
            .Select(s => s.Record.AnalysisId)
            .ToHashSet(StringComparer.Ordinal);
        var deleted = 0;
        foreach (var clientId in await keycloak.ListAnalysisClientIdsAsync(cancellationToken))
        {
            if (!known.Contains(clientId) && await keycloak.DeleteClientAsync(clientId, cancellationToken))
            {
                deleted++;
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"Deleted {deleted} Keycloak clients of unknown analyses");
    }

    private async Task<string> SweepZombiesAsync(CancellationToken cancellationToken)
    {
        var listedAt = timeProvider.GetUtcNow();
        var active = await repository.ListAsync(activeOnly: true, cancellationToken);
        var snapshot = await ClusterSnapshot.LoadAsync(cluster.Client, cluster.Namespace, analysisId: null, cancellationToken);
        var zombies = await orphans.SweepAsync(active, listedAt, snapshot, cancellationToken);

        string Line(string label, Func<IKubernetesObject<V1ObjectMeta>, bool> match) =>
            string.Create(CultureInfo.InvariantCulture, $"Deleted {zombies.Count(match)} zombie {label}");
        bool Component(IKubernetesObject<V1ObjectMeta> o, string value) => o.Metadata.Labels is { } labels && labels.TryGetValue(WorkloadLabels.Component, out var component) && component == value;
        return string.Join('\n',
            Line("deployments", o => o is V1Deployment && Component(o, WorkloadLabels.AnalysisComponent)),
            Line("nginx-deployments", o => o is V1Deployment && Component(o, WorkloadLabels.NginxComponent)),
            Line("services", o => o is V1Service && Component(o, WorkloadLabels.AnalysisComponent)),
            Line("nginx-services", o => o is V1Service && Component(o, WorkloadLabels.NginxComponent)),
            Line("nginx-networkpolicys", o => o is V1NetworkPolicy),
            Line("nginx-configmaps", o => o is V1ConfigMap),
            Line("secrets", o => o is V1Secret));
    }
}
