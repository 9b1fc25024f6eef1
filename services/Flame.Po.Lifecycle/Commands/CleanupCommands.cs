using System.Globalization;

using Flame.Po.Core.Analyses;
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
/// did, followed by the zombie sweep. Zombies are selected by the ownership label and the set of active analyses,
/// never by parsing names (docs/compatibility.md#b3), and an object younger than the orphan grace is left alone (a
/// create may be in flight). Deleting analyses goes through the normal delete path, so their Keycloak clients and
/// objects go too.
/// </summary>
public sealed class CleanupCommands(
    AnalysisCommands commands,
    AnalysisRepository repository,
    ClusterConnection cluster,
    StepExecutor executor,
    IAnalysisClients keycloak,
    NpgsqlDataSource dataSource,
    IOptions<LifecycleSettings> settings,
    IOptions<KeycloakSettings> keycloakSettings,
    TimeProvider timeProvider)
{
    public static readonly IReadOnlyList<string> Types = ["all", "analyzes", "services", "mb", "rs", "keycloak", "zombies"];

    public async Task<CommandOutcome> CleanupAsync(IReadOnlyList<string> types, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(types);
        var unknown = types.Where(t => !Types.Contains(t)).ToList();
        if (types.Count == 0 || unknown.Count > 0)
        {
            return CommandOutcome.Failed(CommandOutcomeKind.Invalid, $"Unknown cleanup type(s): {string.Join(", ", unknown)} (known types: {string.Join(", ", Types)}).");
        }

        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var type in types.Distinct(StringComparer.Ordinal))
        {
            switch (type)
            {
                case "all":
                    await DeleteAnalysesAsync(cancellationToken);
                    await ClearArchiveAsync(cancellationToken);
                    await RestartPodAsync(NodeServiceDiscovery.MessageBrokerComponent, cancellationToken);
                    await RestartPodAsync(NodeServiceDiscovery.StorageComponent, cancellationToken);
                    result["keycloak"] = await DeleteOrphanClientsAsync(cancellationToken);
                    result["all"] = "Deleted every analysis and the archive; reset message broker and storage service.";
                    break;
                case "analyzes":
                    result["analyzes"] = await DeleteAnalysesAsync(cancellationToken);
                    break;
                case "services":
                    result["services"] = $"{await RestartPodAsync(NodeServiceDiscovery.MessageBrokerComponent, cancellationToken)} {await RestartPodAsync(NodeServiceDiscovery.StorageComponent, cancellationToken)}";
                    break;
                case "mb":
                    result["mb"] = await RestartPodAsync(NodeServiceDiscovery.MessageBrokerComponent, cancellationToken);
                    break;
                case "rs":
                    result["rs"] = await RestartPodAsync(NodeServiceDiscovery.StorageComponent, cancellationToken);
                    break;
                case "keycloak":
                    result["keycloak"] = await DeleteOrphanClientsAsync(cancellationToken);
                    break;
            }
        }

        result["zombies"] = await SweepZombiesAsync(cancellationToken);
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
        var active = (await repository.ListAsync(activeOnly: true, cancellationToken)).Select(s => s.Record.AnalysisId).ToHashSet(StringComparer.Ordinal);
        var snapshot = await ClusterSnapshot.LoadAsync(cluster.Client, cluster.Namespace, analysisId: null, cancellationToken);
        var cutoff = listedAt - settings.Value.OrphanGrace;
        var zombies = snapshot.OwnedObjects()
            .Where(o => !active.Contains(ClusterSnapshot.AnalysisIdOf(o)!) && (o.Metadata.CreationTimestamp ?? DateTime.MinValue) < cutoff.UtcDateTime)
            .ToList();
        foreach (var zombie in zombies)
        {
            await executor.DeleteObjectAsync(zombie, cancellationToken);
        }

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
