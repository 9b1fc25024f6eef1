using System.Text.Json.Serialization;
using Flame.Po.Core.Analyses;

namespace Flame.Po.Api.Contracts;

/// <summary>The <c>data:</c> of one <c>GET /po/events</c> event: one lifecycle transition of an analysis.</summary>
public sealed record AnalysisEventMessage(
    [property: JsonPropertyName("event_id")] string EventId,
    [property: JsonPropertyName("analysis_id")] string AnalysisId,
    [property: JsonPropertyName("sequence")] long Sequence,
    [property: JsonPropertyName("deployment_name")] string DeploymentName,
    [property: JsonPropertyName("from")] string? From,
    [property: JsonPropertyName("to")] string To,
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("restart_counter")] int RestartCounter,
    [property: JsonPropertyName("progress")] int Progress,
    [property: JsonPropertyName("time")] DateTimeOffset Time,
    [property: JsonPropertyName("deleted")] bool Deleted)
{
    public static AnalysisEventMessage Of(AnalysisEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return new(e.EventId, e.AnalysisId, e.Sequence, e.DeploymentName, e.From, e.To, e.Reason, e.RestartCounter, e.Progress, e.Time, e.Deleted);
    }
}
