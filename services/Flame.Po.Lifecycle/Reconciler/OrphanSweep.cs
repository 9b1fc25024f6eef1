using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Commands;
using Flame.Po.ServiceDefaults.Logging;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>
/// The one orphan sweep, of the status loop and of <c>DELETE /po/cleanup/zombies</c> (docs/compatibility.md#cleanup):
/// objects labelled as ours whose analysis is not active (unknown, finished or forgotten), older than the grace — a
/// create that crashed between its Secrets and its record, or objects someone re-created. Selected by label, never by
/// parsing names (docs/compatibility.md#b3). The grace counts back from when the records were read, so a create whose
/// record was written after that read cannot lose its Secrets; objects already being deleted are left alone.
/// </summary>
public sealed class OrphanSweep(
    AnalysisRepository repository,
    StepExecutor executor,
    CreatesInFlight creates,
    IOptions<LifecycleSettings> settings,
    ILogger<OrphanSweep> logger)
{
    /// <summary>
    /// Deletes the orphans among <paramref name="snapshot"/>'s objects, given the active records read at
    /// <paramref name="listedAt"/> (the snapshot is listed after them). Returns the objects it deleted; one it could
    /// not delete is logged and left to the next sweep.
    /// </summary>
    public async Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> SweepAsync(
        IReadOnlyList<StoredAnalysis> activeRecords, DateTimeOffset listedAt, ClusterSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(activeRecords);
        ArgumentNullException.ThrowIfNull(snapshot);
        var active = activeRecords.Select(s => s.Record.AnalysisId).ToHashSet(StringComparer.Ordinal);
        // Creation timestamps carry whole seconds: one more second keeps truncation from shortening the grace.
        var cutoff = listedAt - settings.Value.OrphanGrace - TimeSpan.FromSeconds(1);
        var orphans = snapshot.OwnedObjects()
            .Where(item => !active.Contains(ClusterSnapshot.AnalysisIdOf(item)!)
                && item.Metadata.DeletionTimestamp is null
                && (item.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue) < cutoff)
            .ToList();
        var deleted = new List<IKubernetesObject<V1ObjectMeta>>();
        var stillOrphaned = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var orphan in orphans)
        {
            try
            {
                // A create writes its Secrets before its record: one running in this process, or whose record appeared
                // since the list was read, is not an orphan. In-flight first: a create that ends after that look has
                // written its record before the re-read. Checked once per analysis, right before its first delete.
                var analysisId = ClusterSnapshot.AnalysisIdOf(orphan)!;
                if (!stillOrphaned.TryGetValue(analysisId, out var orphaned))
                {
                    orphaned = !creates.Contains(analysisId)
                        && await repository.GetAsync(analysisId, cancellationToken) is not { Record.IsActive: true };
                    stillOrphaned[analysisId] = orphaned;
                }

                if (orphaned && await executor.DeleteObjectAsync(orphan, cancellationToken))
                {
                    deleted.Add(orphan);
                    logger.LogInformation(LogEvents.Action, "Deleted orphaned {Kind} {Name}", KubernetesObjects.KindOf(orphan), orphan.Metadata.Name);
                }
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                logger.LogWarning(LogEvents.StatusLoop, error, "Deleting orphaned {Kind} {Name} failed; the next sweep retries", KubernetesObjects.KindOf(orphan), orphan.Metadata.Name);
            }
        }

        return deleted;
    }
}
