using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Archive;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Workloads;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Lifecycle.Commands;

/// <summary>
/// <c>GET /po/logs</c> (docs/compatibility.md#logs): live pod logs from Kubernetes in the PO's namespace, for the pods
/// of each analysis' current deployment found by label — the analysis container by its name <c>D</c>, the nginx
/// container <c>nginx-D</c>. "All" means every tracked, unfinished analysis whose current deployment has pods
/// (the old service showed only <c>executing</c> ones, hiding the logs of a start-up that goes wrong). A pod whose
/// log cannot be read is logged and skipped.
/// </summary>
public sealed class LiveLogQueries(AnalysisRepository repository, ClusterConnection cluster, ILogger<LiveLogQueries> logger)
{
    /// <summary>Analyses whose logs are read at the same time; bounds the load one request puts on the API server.</summary>
    private const int ParallelAnalyses = 8;

    /// <summary>Null when the single analysis asked for is not tracked.</summary>
    public async Task<PodLogsView?> LogsAsync(string? analysisId, CancellationToken cancellationToken)
    {
        List<AnalysisRecord> records;
        if (analysisId is null)
        {
            records = (await repository.ListAsync(activeOnly: true, cancellationToken))
                .Select(s => s.Record)
                .Where(r => r.Desired != DesiredState.Deleted && r.Phase != LifecyclePhase.Finished)
                .ToList();
        }
        else
        {
            var one = await repository.GetAsync(analysisId, cancellationToken);
            if (one is null || one.Record.Desired == DesiredState.Deleted)
            {
                return null;
            }

            records = [one.Record];
        }

        var view = new PodLogsView();
        if (records.Count == 0)
        {
            return view;
        }

        var client = cluster.Client;
        var pods = await DeploymentPods.ListAsync(client, cluster.Namespace, analysisId is null ? null : records[0].DeploymentName, cancellationToken);
        var results = new (IReadOnlyList<string> Analysis, IReadOnlyList<string> Nginx)?[records.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, records.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ParallelAnalyses, CancellationToken = cancellationToken },
            async (index, ct) =>
            {
                var record = records[index];
                var names = WorkloadNames.For(record.AnalysisId, record.RestartCounter);
                var analysisPods = pods.Of(names.Deployment);
                var nginxPods = pods.Of(names.Nginx);
                if (analysisId is null && analysisPods.Count == 0 && nginxPods.Count == 0)
                {
                    return;
                }

                var errors = new List<string>();
                var analysisLogs = await PodLogCollector.ReadLiveAsync(client, cluster.Namespace, analysisPods, names.Deployment, errors, ct);
                var nginxLogs = await PodLogCollector.ReadLiveAsync(client, cluster.Namespace, nginxPods, names.Nginx, errors, ct);
                foreach (var error in errors)
                {
                    logger.LogWarning("Live log of analysis {AnalysisId} skipped: {Reason}", record.AnalysisId, error);
                }

                results[index] = (analysisLogs, nginxLogs);
            });

        for (var i = 0; i < records.Count; i++)
        {
            if (results[i] is { } logs)
            {
                view.Add(records[i].AnalysisId, logs.Analysis.Select(PodLogSanitizer.Sanitize), logs.Nginx.Select(PodLogSanitizer.Sanitize));
            }
        }

        return view;
    }
}
