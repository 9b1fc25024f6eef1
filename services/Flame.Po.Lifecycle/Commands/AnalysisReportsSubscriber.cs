using System.Text.Json;
using Flame.Po.Core.Analyses;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Dapr.State;
using Flame.Po.Lifecycle.Analyses;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Lifecycle.Commands;

/// <summary>
/// Takes the progress and status analyses report through stream_logs (<c>analysis-reports</c>, from logging)
/// into their records: progress only rises within a deployment, and a report of an end (executed, failed,
/// stopped, stuck) asks for an immediate reconcile, whose healthz probe decides — a report alone never
/// changes the lifecycle status.
/// </summary>
public sealed class AnalysisReportsSubscriber(AnalysisRepository repository, ReconcileRequests reconcile, ILogger<AnalysisReportsSubscriber> logger) : ISubscriber
{
    public const string Route = "/events/lifecycle/analysis-reports";
    private const int Attempts = 5;

    public async Task<EventOutcome> HandleAsync(JsonElement data, CancellationToken cancellationToken)
    {
        AnalysisReport? report;
        try
        {
            report = data.Deserialize<AnalysisReport>(StateJson.Options);
        }
        catch (JsonException error)
        {
            logger.LogWarning("Dropping an unreadable analysis report: {Error}", error.Message);
            return EventOutcome.Drop;
        }

        if (report is null || !AnalysisIds.TryNormalize(report.AnalysisId, out _) || report.Progress is < 0 or > 100)
        {
            return EventOutcome.Drop;
        }

        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var stored = await repository.GetAsync(report.AnalysisId, cancellationToken);
            if (stored is null || !Applies(stored.Record, report))
            {
                return EventOutcome.Success;
            }

            var record = stored.Record;
            var updated = record with
            {
                Progress = Math.Max(record.Progress, report.Progress),
                ReportedStatus = report.ReportedStatus ?? record.ReportedStatus,
            };
            if (updated == record)
            {
                return EventOutcome.Success;
            }

            try
            {
                await repository.SaveAsync(stored, updated, cancellationToken);
            }
            catch (StateConflictException)
            {
                continue;
            }

            if (report.ReportedStatus is AnalysisStatus.Executed or AnalysisStatus.Failed or AnalysisStatus.Stopped or AnalysisStatus.Stuck)
            {
                reconcile.Enqueue(report.AnalysisId);
            }

            return EventOutcome.Success;
        }

        return EventOutcome.Retry;
    }

    /// <summary>Reports count for the active deployment only: a late line of a replaced deployment must not raise the new one's progress.</summary>
    private static bool Applies(AnalysisRecord record, AnalysisReport report) =>
        record.Phase == LifecyclePhase.Active
        && record.Desired == DesiredState.Running
        && (report.DeploymentName is null || report.DeploymentName == record.DeploymentName);
}
