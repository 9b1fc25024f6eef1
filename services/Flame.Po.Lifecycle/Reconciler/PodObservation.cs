namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>What the pod status says about one container (read in the PO's namespace, docs/compatibility.md#b4).</summary>
public sealed record PodObservation
{
    public string Phase { get; init; } = "Pending";
    public string? PodIp { get; init; }

    /// <summary><c>PodScheduled=False</c> with reason <c>Unschedulable</c>, with the scheduler's message.</summary>
    public string? UnschedulableMessage { get; init; }

    public bool ContainerRunning { get; init; }
    public DateTimeOffset? ContainerStartedAt { get; init; }
    public string? WaitingReason { get; init; }
    public string? WaitingMessage { get; init; }

    /// <summary>The current or last termination of the container, if any.</summary>
    public string? TerminatedReason { get; init; }
    public int? ExitCode { get; init; }
    public bool CurrentlyTerminated { get; init; }
    public int RestartCount { get; init; }

    public bool IsPullError => WaitingReason is "ErrImagePull" or "ImagePullBackOff" or "InvalidImageName" or "ErrImageNeverPull";

    /// <summary>The container cannot be created at all (bad secret reference, bad config); waiting will not help.</summary>
    public bool IsConfigError => WaitingReason is "CreateContainerConfigError" or "CreateContainerError" or "RunContainerError";
}
