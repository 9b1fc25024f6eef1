using System.Diagnostics;
using System.Diagnostics.Metrics;
using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Analyses;

namespace Flame.Po.Lifecycle;

/// <summary>
/// The lifecycle's metrics and spans (docs/architecture.md#metrics-and-traces). Labels are small closed sets: never an
/// analysis id, never a free-text reason or a Kubernetes message (<see cref="ReasonLabel"/> classifies them).
/// Instruments are made by the host's <see cref="IMeterFactory"/>; the spans share one static source.
/// </summary>
public sealed class LifecycleTelemetry
{
    public const string Name = "Flame.Po.Lifecycle";

    /// <summary>The analysis a span is about (spans may name it; metrics never do).</summary>
    public const string AnalysisIdTag = "flame.analysis_id";

    /// <summary>Spans of commands, follow-ups, reconciler steps and Kubernetes requests.</summary>
    public static readonly ActivitySource Source = new(Name);

    /// <summary>Status-loop ticks take from a few milliseconds (idle) to seconds (1,000 analyses, README "Performance").</summary>
    private static readonly double[] TickBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

    private readonly Counter<long> _transitions;
    private readonly Counter<long> _restarts;
    private readonly Histogram<double> _tickDuration;
    private readonly Counter<long> _probes;
    private readonly Counter<long> _kubernetesRequests;
    private IReadOnlyDictionary<string, int>? _byStatus;
    private int _queued = -1;

    public LifecycleTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Name);
        meter.CreateObservableGauge(
            "flame.po.analyses",
            ObserveAnalyses,
            description: "Analyses the lifecycle is working on (not finished), by status, as of the last status-loop tick.");
        meter.CreateObservableGauge(
            "flame.po.queued_analyses",
            ObserveQueued,
            description: "Analyses accepted but waiting for a slot (MAX_CONCURRENT_ANALYSES), as of the last status-loop tick.");
        _transitions = meter.CreateCounter<long>("flame.po.transitions", description: "Status transitions recorded, by new status and reason.");
        _restarts = meter.CreateCounter<long>("flame.po.restarts", description: "Restarts begun, by cause (stuck, slow, unresponsive).");
        _tickDuration = meter.CreateHistogram(
            "flame.po.status_loop.duration",
            unit: "s",
            description: "Duration of completed status-loop ticks.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TickBuckets });
        _probes = meter.CreateCounter<long>("flame.po.probe_results", description: "healthz probes of analyses, by outcome.");
        _kubernetesRequests = meter.CreateCounter<long>(
            "flame.po.kubernetes.requests",
            description: "Requests to the Kubernetes API server (each attempt), by verb, resource and HTTP status code.");

        // Every restart cause is exported from the start (at 0), so rates and alerts see a series before the first one.
        foreach (var cause in RestartCauses)
        {
            _restarts.Add(0, new KeyValuePair<string, object?>("reason", cause));
        }
    }

    /// <summary>The <c>reason</c> values of <c>flame_po_restarts_total</c>.</summary>
    public static IReadOnlyList<string> RestartCauses { get; } = [TransitionReasons.Stuck, TransitionReasons.Slow, TransitionReasons.Unresponsive];

    /// <summary>The active records of a complete listing (a tick): the gauge reports their statuses from now on.</summary>
    public void ObserveActive(IEnumerable<AnalysisRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var counts = AnalysisStatus.All.ToDictionary(s => s, _ => 0, StringComparer.Ordinal);
        var queued = 0;
        foreach (var record in records)
        {
            queued += record.Phase == LifecyclePhase.Queued && record.Desired == DesiredState.Running ? 1 : 0;
            var status = counts.ContainsKey(record.Status) ? record.Status : "other";
            counts[status] = counts.GetValueOrDefault(status) + 1;
        }

        Volatile.Write(ref _byStatus, counts);
        Volatile.Write(ref _queued, queued);
    }

    /// <summary>The events a successful write added to a record (each one status transition).</summary>
    public void Transitioned(IEnumerable<AnalysisEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var analysisEvent in events)
        {
            _transitions.Add(1, new("to", StatusLabel(analysisEvent.To)), new("reason", ReasonLabel(analysisEvent.Reason)));
        }
    }

    /// <summary>A restart was recorded (the record moved to <see cref="LifecyclePhase.Restarting"/>).</summary>
    public void Restarted(string reason) => _restarts.Add(1, new KeyValuePair<string, object?>("reason", TransitionReasons.RestartCause(reason) ?? "other"));

    public void TickCompleted(TimeSpan duration) => _tickDuration.Record(duration.TotalSeconds);

    /// <param name="outcome">One of <c>answered</c>, <c>http_error</c>, <c>no_status</c>, <c>malformed</c>, <c>timeout</c>, <c>unreachable</c>.</param>
    public void Probed(string outcome) => _probes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void KubernetesRequest(string verb, string resource, string code) =>
        _kubernetesRequests.Add(1, new("verb", verb), new("resource", resource), new("code", code));

    /// <summary>A status of the Hub's vocabulary, else <c>other</c>.</summary>
    public static string StatusLabel(string? status) => status is not null && AnalysisStatus.All.Contains(status) ? status : "other";

    /// <summary>
    /// The closed set a transition reason is reported as: the fixed reasons by name, restart causes (also of the
    /// failure after the last restart) by their cause word, Kubernetes failures by their Kubernetes reason class;
    /// anything else is <c>other</c>. The recorded text (with its details) stays in the record and the events.
    /// </summary>
    public static string ReasonLabel(string? reason) => reason switch
    {
        null or "" => "none",
        TransitionReasons.Created => "created",
        TransitionReasons.Queued => "queued",
        TransitionReasons.Finished => "finished",
        TransitionReasons.AnalysisReportedFailure => "analysis_failed",
        TransitionReasons.StoppedByUser => "stopped_by_user",
        TransitionReasons.DeletedByUser => "deleted_by_user",
        TransitionReasons.StoppedByPartner => "stopped_by_partner",
        _ when TransitionReasons.RestartCause(reason) is { } cause => cause,
        _ when reason.StartsWith("Unschedulable:", StringComparison.Ordinal) => "unschedulable",
        _ when reason.StartsWith("OOMKilled", StringComparison.Ordinal) => "oom_killed",
        _ when reason.StartsWith("CrashLoopBackOff", StringComparison.Ordinal) => "crash_loop",
        _ when StartsWithAny(reason, "ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull") => "image_pull",
        _ when StartsWithAny(reason, "CreateContainerConfigError", "CreateContainerError", "RunContainerError") => "container_config",
        _ when reason.StartsWith("The analysis pod ended", StringComparison.Ordinal) => "pod_ended",
        _ when reason.StartsWith("The analysis' pull or credentials Secret is missing", StringComparison.Ordinal) => "secret_missing",
        _ => "other",
    };

    private static bool StartsWithAny(string text, params string[] prefixes) =>
        prefixes.Any(p => text.StartsWith(p, StringComparison.Ordinal));

    private IEnumerable<Measurement<int>> ObserveQueued()
    {
        var queued = Volatile.Read(ref _queued);
        if (queued >= 0)
        {
            yield return new Measurement<int>(queued);
        }
    }

    private IEnumerable<Measurement<int>> ObserveAnalyses()
    {
        var counts = Volatile.Read(ref _byStatus);
        if (counts is null)
        {
            yield break;
        }

        foreach (var (status, count) in counts)
        {
            yield return new Measurement<int>(count, new KeyValuePair<string, object?>("status", status));
        }
    }
}
