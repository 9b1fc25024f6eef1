using System.Text;

using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Workloads;
using k8s;
using k8s.Models;

namespace Flame.Po.Lifecycle.Archive;

/// <summary>
/// Reads the logs of every pod and container attempt of one deployment in the PO's namespace (never <c>default</c>,
/// docs/compatibility.md#b4). A log that cannot be read is noted, not fatal: deletion must not wait forever.
/// </summary>
public static class PodLogCollector
{
    /// <summary>Upper bound per container log, so one chatty analysis cannot exhaust memory or the archive.</summary>
    public const int MaxBytesPerLog = 1024 * 1024;

    public static async Task<LogSnapshot> CollectAsync(IKubernetes client, string ns, WorkloadNames names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(names);
        var errors = new List<string>();
        var analysis = await CollectAppAsync(client, ns, names.Deployment, errors, cancellationToken);
        var nginx = await CollectAppAsync(client, ns, names.Nginx, errors, cancellationToken);
        return new LogSnapshot { Analysis = analysis, Nginx = nginx, Errors = errors };
    }

    /// <summary>
    /// Live logs of already listed pods: only the container named <paramref name="container"/> (a pod may carry
    /// sidecars), its previous attempt first when it restarted. Unlike an archive snapshot, which is retried on
    /// the next tick, a live read is answered now: a pod whose log cannot be fetched for any reason — API error,
    /// broken connection, timeout — is noted in <paramref name="errors"/> and skipped.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ReadLiveAsync(
        IKubernetes client, string ns, IEnumerable<V1Pod> pods, string container, List<string> errors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(pods);
        var logs = new List<string>();
        await ReadPodsAsync(client, ns, pods, container, tolerateTransportErrors: true, logs, errors, cancellationToken);
        return logs;
    }

    private static async Task<List<string>> CollectAppAsync(IKubernetes client, string ns, string app, List<string> errors, CancellationToken cancellationToken)
    {
        var pods = await client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: $"{WorkloadLabels.App}={app}", cancellationToken: cancellationToken);
        var logs = new List<string>();
        await ReadPodsAsync(client, ns, pods.Items, container: null, tolerateTransportErrors: false, logs, errors, cancellationToken);
        return logs;
    }

    private static async Task ReadPodsAsync(
        IKubernetes client, string ns, IEnumerable<V1Pod> pods, string? container, bool tolerateTransportErrors, List<string> logs, List<string> errors, CancellationToken cancellationToken)
    {
        foreach (var pod in pods.OrderBy(p => p.Metadata.CreationTimestamp ?? DateTime.MinValue).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal))
        {
            foreach (var status in (pod.Status?.ContainerStatuses ?? []).Where(s => container is null || s.Name == container))
            {
                if (status.RestartCount > 0 || status.LastState?.Terminated is not null)
                {
                    await ReadAsync(client, ns, pod, status.Name, previous: true, tolerateTransportErrors, logs, errors, cancellationToken);
                }

                if (status.State?.Waiting is null)
                {
                    await ReadAsync(client, ns, pod, status.Name, previous: false, tolerateTransportErrors, logs, errors, cancellationToken);
                }
            }
        }
    }

    private static async Task ReadAsync(
        IKubernetes client, string ns, V1Pod pod, string container, bool previous, bool tolerateTransportErrors, List<string> logs, List<string> errors, CancellationToken cancellationToken)
    {
        var name = pod.Metadata.Name ?? "";
        try
        {
            await using var log = await client.CoreV1.ReadNamespacedPodLogAsync(
                name, ns, container: container, previous: previous, limitBytes: MaxBytesPerLog, cancellationToken: cancellationToken);
            using var reader = new StreamReader(log, Encoding.UTF8);
            logs.Add(await reader.ReadToEndAsync(cancellationToken));
        }
        catch (Exception error) when (KubernetesErrors.IsApiError(error)
            || (tolerateTransportErrors && error is HttpRequestException or IOException))
        {
            errors.Add($"{name}/{container}{(previous ? " (previous)" : "")}: {KubernetesErrors.Describe(error)}");
        }
    }
}
