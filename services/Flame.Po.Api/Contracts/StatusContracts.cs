using System.Text.Json.Serialization;

namespace Flame.Po.Api.Contracts;

/// <summary>
/// One analysis in <c>GET /po/status</c>: the old <c>{status, progress}</c> pair (docs/compatibility.md#status); a queued
/// analysis adds <c>reason</c> (<c>queued</c>) and <c>queue_position</c> (1 = next), which old clients ignore.
/// </summary>
public sealed record AnalysisStatusEntry(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("progress")] int Progress,
    [property: JsonPropertyName("reason"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason = null,
    [property: JsonPropertyName("queue_position"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? QueuePosition = null);
