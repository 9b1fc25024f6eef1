using System.Globalization;
using System.Text.Json.Serialization;

using Flame.Po.Core.Analyses;

namespace Flame.Po.Lifecycle.Analyses;

/// <summary>
/// The durable state of one analysis (state store key <c>analysis-&lt;id&gt;</c>). It holds no secret: registry
/// credentials and tokens live only in the analysis' Kubernetes Secrets (docs/compatibility.md#security).
/// </summary>
public sealed record AnalysisRecord
{
    public required string AnalysisId { get; init; }
    public required string ProjectId { get; init; }
    public required string RegistryUrl { get; init; }
    public required string ImageUrl { get; init; }

    /// <summary>SHA-256 of the non-secret create fields: a repeated create with the same body is idempotent.</summary>
    public required string RequestFingerprint { get; init; }

    public DesiredState Desired { get; init; } = DesiredState.Running;
    public string Status { get; init; } = AnalysisStatus.Starting;
    public LifecyclePhase Phase { get; init; } = LifecyclePhase.Active;

    /// <summary>Counter of the current deployment <c>analysis-&lt;id&gt;-&lt;counter&gt;</c> (1 for the first).</summary>
    public required int RestartCounter { get; init; }

    /// <summary>Why the last transition happened (pull error, OOMKilled, stuck, stopped by user…).</summary>
    public string? Reason { get; init; }

    public int Progress { get; init; }

    /// <summary>The status the analysis last reported through stream_logs (informational; healthz decides).</summary>
    public string? ReportedStatus { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the current deployment was started; pending timeouts count from here.</summary>
    public required DateTimeOffset DeployedAt { get; init; }

    /// <summary>When the analysis container of the current deployment was first seen running; grace counts from here.</summary>
    public DateTimeOffset? ContainerStartedAt { get; init; }

    /// <summary>First failed probe after the analysis had answered; cleared by the next good answer.</summary>
    public DateTimeOffset? UnhealthySince { get; init; }

    /// <summary>Restart back-off: the next deployment starts no earlier than this.</summary>
    public DateTimeOffset? RestartAfter { get; init; }

    /// <summary>When the analysis' Keycloak token is renewed next (a fraction of its lifetime after issue).</summary>
    public DateTimeOffset? TokenRefreshAt { get; init; }

    /// <summary>The deployment whose pod logs are already in the archive (restarts and the final one).</summary>
    public string? ArchivedDeployment { get; init; }

    public bool KeycloakClientDeleted { get; init; }

    /// <summary>The Hub's analysis-node id of this node, once known.</summary>
    public string? AnalysisNodeId { get; init; }

    /// <summary>Number of events produced so far; event ids are <c>&lt;id&gt;:&lt;sequence&gt;</c>.</summary>
    public long Sequence { get; init; }

    /// <summary>Events written with the transition that produced them and published afterwards (an outbox).</summary>
    public IReadOnlyList<AnalysisEvent> PendingEvents { get; init; } = [];

    [JsonIgnore]
    public string DeploymentName => DeploymentNameOf(AnalysisId, RestartCounter);

    /// <summary>
    /// Active records are visited by every tick: all but finished ones, deleted ones until forgotten, and finished
    /// ones whose last events are not published yet (a conflict or a pub/sub outage during the final flush must
    /// not leave the terminal event unpublished for good — the Hub would never learn the outcome).
    /// </summary>
    [JsonIgnore]
    public bool IsActive => Phase != LifecyclePhase.Finished || Desired == DesiredState.Deleted || PendingEvents.Count > 0;

    public static string DeploymentNameOf(string analysisId, int counter) =>
        $"analysis-{analysisId}-{counter.ToString(CultureInfo.InvariantCulture)}";
}
