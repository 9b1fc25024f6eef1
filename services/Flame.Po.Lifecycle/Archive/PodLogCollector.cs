using Flame.Po.Kubernetes.Client;
using Flame.Po.Kubernetes.Models;
using Flame.Po.Lifecycle.Workloads;
using Polly.Timeout;

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

    /// <summary>
    /// Live logs of already listed pods: only the container named <paramref name="container"/> (a pod may carry
    /// sidecars), its previous attempt first when it restarted. Unlike an archive snapshot, which is retried on
    /// the next tick, a live read is answered now: a pod whose log cannot be fetched for any reason — API error,
    /// broken connection, timeout — is noted in <paramref name="errors"/> and skipped.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ReadLiveAsync(
        KubernetesClient client, IEnumerable<Pod> pods, string container, List<string> errors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(pods);
        var logs = new List<string>();
        await ReadPodsAsync(client, pods, container, tolerateTransportErrors: true, logs, errors, cancellationToken);
        return logs;
    }

    private static async Task<List<string>> CollectAppAsync(KubernetesClient client, string app, List<string> errors, CancellationToken cancellationToken)
    {
        var pods = await client.Pods().ListAllAsync(new ListOptions { LabelSelector = $"{WorkloadLabels.App}={app}" }, cancellationToken);
        var logs = new List<string>();
        await ReadPodsAsync(client, pods.Items, container: null, tolerateTransportErrors: false, logs, errors, cancellationToken);
        return logs;
    }

    private static async Task ReadPodsAsync(
        KubernetesClient client, IEnumerable<Pod> pods, string? container, bool tolerateTransportErrors, List<string> logs, List<string> errors, CancellationToken cancellationToken)
    {
        foreach (var pod in pods.OrderBy(p => p.Metadata.CreationTimestamp ?? DateTimeOffset.MinValue).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            foreach (var status in (pod.Status?.ContainerStatuses ?? []).Where(s => container is null || s.Name == container))
            {
                if (status.RestartCount > 0 || status.LastState?.Terminated is not null)
                {
                    await ReadAsync(client, pod, status.Name, previous: true, tolerateTransportErrors, logs, errors, cancellationToken);
                }

                if (status.State?.Waiting is null)
                {
                    await ReadAsync(client, pod, status.Name, previous: false, tolerateTransportErrors, logs, errors, cancellationToken);
                }
            }
        }
    }

    private static async Task ReadAsync(
        KubernetesClient client, Pod pod, string container, bool previous, bool tolerateTransportErrors, List<string> logs, List<string> errors, CancellationToken cancellationToken)
    {
        var name = pod.Metadata.Name ?? "";
        try
        {
            logs.Add(await client.Pods().ReadLogAsync(name, new PodLogOptions { Container = container, Previous = previous, LimitBytes = MaxBytesPerLog }, cancellationToken));
        }
        catch (Exception error) when (error is KubernetesApiException
            || (tolerateTransportErrors && error is HttpRequestException or IOException or TimeoutRejectedException))
        {
            errors.Add($"{name}/{container}{(previous ? " (previous)" : "")}: {error.Message}");
        }
    }
}
