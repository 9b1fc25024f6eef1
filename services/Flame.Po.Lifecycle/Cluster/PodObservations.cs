using Flame.Po.Lifecycle.Reconciler;
using k8s;
using k8s.Models;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>Reads the analysis container's state from a pod: the container named <c>D</c>, not the first (a pod may carry sidecars).</summary>
public static class PodObservations
{
    public static PodObservation From(V1Pod pod, string containerName)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var status = pod.Status;
        var container = status?.ContainerStatuses?.FirstOrDefault(c => c.Name == containerName) ?? (status?.ContainerStatuses is [var first, ..] ? first : null);
        var unschedulable = status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False" && c.Reason == "Unschedulable");
        var terminated = container?.State?.Terminated ?? container?.LastState?.Terminated;
        return new PodObservation
        {
            Phase = status?.Phase ?? "Pending",
            PodIp = string.IsNullOrEmpty(status?.PodIP) ? null : status.PodIP,
            UnschedulableMessage = unschedulable is null ? null : unschedulable.Message ?? "the pod cannot be scheduled",
            ContainerRunning = container?.State?.Running is not null,
            ContainerStartedAt = container?.State?.Running?.StartedAt is { } started ? new DateTimeOffset(DateTime.SpecifyKind(started, DateTimeKind.Utc)) : null,
            WaitingReason = container?.State?.Waiting?.Reason,
            WaitingMessage = container?.State?.Waiting?.Message,
            TerminatedReason = terminated?.Reason,
            ExitCode = terminated?.ExitCode,
            CurrentlyTerminated = container?.State?.Terminated is not null,
            RestartCount = container?.RestartCount ?? 0,
        };
    }
}
