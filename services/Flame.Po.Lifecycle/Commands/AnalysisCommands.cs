using Flame.Po.Core.Analyses;
using Flame.Po.Core.Contracts;
using Flame.Po.Dapr.Faults;
using Flame.Po.Dapr.State;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Reconciler;
using Flame.Po.Lifecycle.Workloads;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flame.Po.Lifecycle.Commands;

/// <summary>
/// create / stop / delete. Each returns promptly (no request waits for pods or objects): it writes the record
/// (compare-and-swap) and queues the analysis for the reconciler, which does the Kubernetes work. Create alone
/// touches Kubernetes: the registry password and the Kong token go straight into the analysis' Secrets and are never
/// stored.
/// </summary>
public sealed class AnalysisCommands(
    AnalysisRepository repository,
    ClusterConnection cluster,
    ReconcileRequests queue,
    AdmissionControl admissions,
    CreatesInFlight inFlight,
    FaultPoints faults,
    IOptions<WorkloadSettings> workloadSettings,
    IOptions<LifecycleSettings> settings,
    TimeProvider timeProvider,
    ILogger<AnalysisCommands> logger)
{
    private const int ConflictRetries = 10;

    public async Task<CommandOutcome> CreateAsync(CreateAnalysisCommand command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        AnalysisManifests manifests;
        try
        {
            manifests = AnalysisManifests.For(
                new AnalysisWorkloadRequest
                {
                    Namespace = cluster.IsConfigured ? cluster.Namespace : "default",
                    AnalysisId = command.AnalysisId,
                    ProjectId = command.ProjectId,
                    RestartCounter = checked(command.RestartCounter + 1),
                    Image = command.ImageUrl,
                    Credentials = new AnalysisCredentials(new RegistryCredentials(command.RegistryUrl, command.RegistryUser, command.RegistryPassword), command.KongToken, KeycloakToken: ""),
                },
                workloadSettings.Value);
        }
        catch (Exception error) when (error is WorkloadInputException or OverflowException)
        {
            return CommandOutcome.Failed(CommandOutcomeKind.Invalid, error.Message);
        }

        if (!AnalysisLimits.IsPreviousRestartCounter(command.RestartCounter))
        {
            return CommandOutcome.Failed(CommandOutcomeKind.Invalid, $"restart_counter must be between 0 and {AnalysisLimits.MaxPreviousRestartCounter}.");
        }

        if (!AnalysisLimits.IsProgress(command.Progress))
        {
            return CommandOutcome.Failed(CommandOutcomeKind.Invalid, $"progress must be between 0 and {AnalysisLimits.MaxProgress}.");
        }

        var fingerprint = command.Fingerprint();
        if (await repository.GetAsync(command.AnalysisId, cancellationToken) is { } existing)
        {
            return SameCreate(existing.Record, fingerprint);
        }

        // From its first Secret to its record the create is in flight: the orphan sweep leaves its Secrets alone.
        using var running = inFlight.Begin(command.AnalysisId);
        if (!await EnsureSecretsAsync(command.AnalysisId, manifests, cancellationToken))
        {
            var raced = await repository.GetAsync(command.AnalysisId, cancellationToken);
            return raced is null ? CommandOutcome.Failed(CommandOutcomeKind.Conflict, "A create of this analysis is in progress; try again.") : SameCreate(raced.Record, fingerprint);
        }

        faults.Reach(LifecycleFaultPoints.CreateAfterSecrets);
        var now = timeProvider.GetUtcNow();
        var record = RecordTransitions.WithStatus(
            new AnalysisRecord
            {
                AnalysisId = command.AnalysisId,
                ProjectId = command.ProjectId,
                RegistryUrl = command.RegistryUrl,
                ImageUrl = command.ImageUrl,
                RequestFingerprint = fingerprint,
                RestartCounter = command.RestartCounter + 1,
                Progress = command.Progress,
                Status = "",
                CreatedAt = now,
                UpdatedAt = now,
                DeployedAt = now,
                // With MAX_CONCURRENT_ANALYSES every create waits for its slot; the reconciler admits in order.
                Phase = admissions.Limited ? LifecyclePhase.Queued : LifecyclePhase.Active,
            },
            AnalysisStatus.Starting,
            admissions.Limited ? TransitionReasons.Queued : TransitionReasons.Created,
            now);
        try
        {
            await repository.CreateAsync(record, cancellationToken);
        }
        catch (AnalysisExistsException)
        {
            var raced = await repository.GetAsync(command.AnalysisId, cancellationToken);
            return raced is null ? CommandOutcome.Failed(CommandOutcomeKind.Conflict, "The analysis was created and deleted concurrently; try again.") : SameCreate(raced.Record, fingerprint);
        }

        faults.Reach(LifecycleFaultPoints.CreateAfterRecord);
        logger.LogInformation(Flame.Po.ServiceDefaults.Logging.LogEvents.Action, "Created analysis {AnalysisId} ({Deployment})", record.AnalysisId, record.DeploymentName);
        queue.Enqueue(record.AnalysisId);
        return CommandOutcome.Accepted(new Dictionary<string, string?> { [record.AnalysisId] = record.Status });
    }

    /// <summary>Stops the given analyses (all when <paramref name="analysisIds"/> is null); terminal ones keep their status.</summary>
    public Task<CommandOutcome> StopAsync(IReadOnlyList<string>? analysisIds, CancellationToken cancellationToken) =>
        ChangeDesiredAsync(analysisIds, DesiredState.Stopped, cancellationToken);

    /// <summary>Stops and forgets the given analyses; the reconciler deletes their objects, Keycloak client and record.</summary>
    public Task<CommandOutcome> DeleteAsync(IReadOnlyList<string>? analysisIds, CancellationToken cancellationToken) =>
        ChangeDesiredAsync(analysisIds, DesiredState.Deleted, cancellationToken);

    private async Task<CommandOutcome> ChangeDesiredAsync(IReadOnlyList<string>? analysisIds, DesiredState desired, CancellationToken cancellationToken)
    {
        var targets = analysisIds ?? (await repository.ListAsync(activeOnly: false, cancellationToken)).Select(s => s.Record.AnalysisId).ToList();
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var analysisId in targets)
        {
            var changed = await ChangeOneAsync(analysisId, desired, cancellationToken);
            if (changed is null)
            {
                if (analysisIds is { Count: 1 })
                {
                    return CommandOutcome.Failed(CommandOutcomeKind.NotFound, $"Analysis {analysisId} is not known to this node.");
                }

                continue;
            }

            result[analysisId] = desired == DesiredState.Deleted ? null : changed.Status;
            queue.Enqueue(analysisId);
        }

        return CommandOutcome.Accepted(result);
    }

    /// <summary>Compare-and-swap loop: the user's command wins over whatever a reconciler wrote meanwhile (docs/compatibility.md#b1).</summary>
    private async Task<AnalysisRecord?> ChangeOneAsync(string analysisId, DesiredState desired, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            var stored = await repository.GetAsync(analysisId, cancellationToken);
            if (stored is null || stored.Record.Desired == DesiredState.Deleted)
            {
                return null;
            }

            var record = stored.Record;
            if (record.Desired == desired)
            {
                return record;
            }

            var now = timeProvider.GetUtcNow();
            var updated = record with { Desired = desired, UpdatedAt = now };
            if (record.Phase is LifecyclePhase.Active or LifecyclePhase.Restarting or LifecyclePhase.Queued)
            {
                // The decision function's own rule (the user's stop or delete wins), taken at once.
                var stop = new LifecycleAction.Terminate(AnalysisStatus.Stopped, desired == DesiredState.Deleted ? StopReasons.DeletedByUser : StopReasons.StoppedByUser);
                updated = RecordTransitions.Apply(updated, stop, now, settings.Value.ToPolicy());
            }

            try
            {
                var saved = await repository.SaveAsync(stored, updated, cancellationToken);
                faults.Reach(desired == DesiredState.Deleted ? LifecycleFaultPoints.DeleteAfterRecord : LifecycleFaultPoints.StopAfterRecord);
                return saved.Record;
            }
            catch (StateConflictException) when (attempt < ConflictRetries)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * (attempt + 1))), cancellationToken);
            }
        }
    }

    private static CommandOutcome SameCreate(AnalysisRecord existing, string fingerprint) =>
        existing.RequestFingerprint == fingerprint && existing.Desired != DesiredState.Deleted
            ? CommandOutcome.Accepted(new Dictionary<string, string?> { [existing.AnalysisId] = existing.Status })
            : CommandOutcome.Failed(CommandOutcomeKind.Conflict, $"Analysis {existing.AnalysisId} already exists with a different image, project, registry or restart counter (status {existing.Status}); delete it before creating it again.");

    /// <summary>
    /// Creates the pull and credentials Secrets. An existing Secret is replaced only while no record exists (the
    /// leftover of a create that crashed before its record); once a record exists its Secrets are its own and a
    /// concurrent create must not touch them (false).
    /// </summary>
    private async Task<bool> EnsureSecretsAsync(string analysisId, AnalysisManifests manifests, CancellationToken cancellationToken)
    {
        var objects = cluster.Objects;
        var secrets = manifests.Secrets().ToList();
        // Both at once: two independent API-server writes are the bulk of a create's time.
        var created = await Task.WhenAll(secrets.Select(secret => objects.CreateIfMissingAsync(secret, cancellationToken)));
        foreach (var secret in secrets.Where((_, index) => !created[index]))
        {
            if (await repository.GetAsync(analysisId, cancellationToken) is not null)
            {
                return false;
            }

            await objects.DeleteIfPresentAsync(secret, cancellationToken);
            if (!await objects.CreateIfMissingAsync(secret, cancellationToken))
            {
                return false;
            }
        }

        return true;
    }
}
