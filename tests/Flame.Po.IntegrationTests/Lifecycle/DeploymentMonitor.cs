using Flame.Po.Lifecycle.Workloads;
using Flame.Sandbox;

namespace Flame.Po.IntegrationTests.Lifecycle;

/// <summary>
/// Samples the Sandbox every few milliseconds and records, per analysis, the most analysis Deployments that
/// existed at the same moment: the "never two deployments of one analysis at once" invariant.
/// </summary>
public sealed class DeploymentMonitor : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, int> _max = new(StringComparer.Ordinal);
    private int _maxTotal;
    private readonly Task _loop;

    public DeploymentMonitor(SandboxServer sandbox)
    {
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                var counts = sandbox.Objects.List("deployments", sandbox.Namespace, $"{WorkloadLabels.Component}={WorkloadLabels.AnalysisComponent}")
                    .GroupBy(d => d["metadata"]?["labels"]?[WorkloadLabels.AnalysisId]?.GetValue<string>() ?? "");
                lock (_max)
                {
                    var total = 0;
                    foreach (var group in counts)
                    {
                        _max[group.Key] = Math.Max(_max.GetValueOrDefault(group.Key), group.Count());
                        total += group.Count();
                    }

                    _maxTotal = Math.Max(_maxTotal, total);
                }

                await Task.Delay(5);
            }
        });
    }

    public int MaxConcurrentDeployments(string analysisId)
    {
        lock (_max)
        {
            return _max.GetValueOrDefault(analysisId);
        }
    }

    /// <summary>The most analysis Deployments (of all analyses) that existed at the same moment.</summary>
    public int MaxConcurrentDeploymentsOverall
    {
        get
        {
            lock (_max)
            {
                return _maxTotal;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
