using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Workloads;

namespace Flame.Po.Lifecycle.Commands;

/// <summary>
/// <c>GET /po/pods</c> (docs/compatibility.md#pods): the names of the analysis pods of each analysis' current
/// deployment, live from the cluster by label — a real array (the hub adapter models <c>list[str | None]</c>), not
/// the double-encoded list recorded once at creation (docs/compatibility.md#b17). Every tracked analysis appears,
/// finished ones with an empty list, as in <c>/po/status</c>.
/// </summary>
public sealed class PodQueries(AnalysisRepository repository, ClusterConnection cluster)
{
    /// <summary>Null when the single analysis asked for is not tracked.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>?> PodsAsync(string? analysisId, CancellationToken cancellationToken)
    {
        List<AnalysisRecord> records;
        if (analysisId is null)
        {
            records = (await repository.ListAsync(activeOnly: false, cancellationToken)).Select(s => s.Record).Where(r => r.Desired != DesiredState.Deleted).ToList();
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

        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        if (records.Count == 0)
        {
            return result;
        }

        var pods = await DeploymentPods.ListAsync(cluster.Client, cluster.Namespace, analysisId is null ? null : records[0].DeploymentName, cancellationToken);
        foreach (var record in records)
        {
            var names = WorkloadNames.For(record.AnalysisId, record.RestartCounter);
            result[record.AnalysisId] = pods.Of(names.Deployment).Select(p => p.Metadata.Name ?? "").Where(n => n.Length > 0).ToList();
        }

        return result;
    }
}
