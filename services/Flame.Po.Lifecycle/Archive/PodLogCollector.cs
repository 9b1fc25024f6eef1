using Flame.Po.Kubernetes.Client;
using Flame.Po.Kubernetes.Models;
using Flame.Po.Lifecycle.Workloads;

namespace Flame.Po.Lifecycle.Archive;

/// <summary>
/// Reads the logs of every pod and container attempt of one deployment in the PO's namespace (never
/// <c>default</c>, po-spec B4). A log that cannot be read is noted, not fatal: deletion must not wait forever.
/// </summary>
public static class PodLogCollector
{
    /// <summary>Upper bound per container log, so one chatty analysis cannot exhaust memory or the archive.</summary>
    public const long MaxBytesPerLog = 1024 * 1024;

    public static async Task<LogSnapshot> CollectAsync(KubernetesClient client, WorkloadNames names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(names);
        var errors = new List<string>();
        var analysis = await CollectAppAsync(client, names.Deployment, errors, cancellationToken);
        var nginx = await CollectAppAsync(client, names.Nginx, errors, cancellationToken);
        return new LogSnapshot { Analysis = analysis, Nginx = nginx, Errors = errors };
    }

    private static async Task<List<string>> CollectAppAsync(KubernetesClient client, string app, List<string> errors, CancellationToken cancellationToken)
    {
        var pods = await client.Pods().ListAllAsync(new ListOptions { LabelSelector = $"{WorkloadLabels.App}={app}" }, cancellationToken);
        var logs = new List<string>();
        foreach (var pod in pods.Items.OrderBy(p => p.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue))
        {
            foreach (var container in pod.Status?.ContainerStatuses ?? [])
            {
                if (container.RestartCount > 0 || container.LastState?.Terminated is not null)
                {
                    await ReadAsync(client, pod, container.Name, previous: true, logs, errors, cancellationToken);
                }

                if (container.State?.Waiting is null)
                {
                    await ReadAsync(client, pod, container.Name, previous: false, logs, errors, cancellationToken);
                }
            }
        }

        return logs;
    }

    private static async Task ReadAsync(KubernetesClient client, Pod pod, string container, bool previous, List<string> logs, List<string> errors, CancellationToken cancellationToken)
    {
        var name = pod.Metadata.Name ?? "";
        try
        {
            logs.Add(await client.Pods().ReadLogAsync(name, new PodLogOptions { Container = container, Previous = previous, LimitBytes = MaxBytesPerLog }, cancellationToken));
        }
        catch (KubernetesApiException error)
        {
            errors.Add($"{name}/{container}{(previous ? " (previous)" : "")}: {error.Message}");
        }
    }
}
