using System.Text.Json.Serialization;

namespace Flame.Po.Core.Contracts;

/// <summary>
/// One analysis as the lifecycle's status route answers it: the compatible <c>{status, progress}</c> pair of
/// <c>GET /po/status</c> plus what an operator needs to understand it.
/// </summary>
public sealed record AnalysisStatusView(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("progress")] int Progress,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("restart_counter")] int RestartCounter,
    [property: JsonPropertyName("deployment_name")] string? DeploymentName,
    [property: JsonPropertyName("queue_position"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? QueuePosition = null);
