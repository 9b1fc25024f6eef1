using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Flame.Po.Api.Contracts;

/// <summary>The body of <c>POST /po/stream_logs</c> (docs/compatibility.md#stream-logs), sent by analysis containers with their own token.</summary>
public sealed record StreamLogsRequest
{
    [JsonPropertyName("log"), Required, Description("The log text; newlines and non-ASCII are kept. Longer than LOG_MESSAGE_MAX_CHARS is stored cut.")]
    public required string Log { get; init; }

    [JsonPropertyName("log_type"), Required, Description("One of emerg, alert, crit, error, warn, notice, info, debug.")]
    public required string LogType { get; init; }

    [JsonPropertyName("analysis_id"), Required, Description("Must be the analysis the bearer token was issued to.")]
    public required string AnalysisId { get; init; }

    [JsonPropertyName("status"), Required, Description("The analysis's own run status: starting, started, stopping, stopped, executing, executed, failed or stuck.")]
    public required string Status { get; init; }

    [JsonPropertyName("progress"), Range(0, 100), Description("0–100; optional. The stored progress only rises.")]
    public int? Progress { get; init; }
}

/// <summary>Size limits of <c>stream_logs</c>.</summary>
public static class StreamLogsLimits
{
    /// <summary>A larger body is refused with 413 before it is buffered.</summary>
    public const int BodyBytes = 256 * 1024;

    /// <summary>Longest accepted <c>Idempotency-Key</c> header.</summary>
    public const int IdempotencyKey = 200;
}
