using System.Text.Json.Serialization;

namespace Flame.Po.Core.Contracts;

/// <summary>
/// What the logging service's ingest route receives: one line of <c>POST /po/stream_logs</c>, already
/// authenticated and validated by the Api — the caller is the analysis <see cref="AnalysisId"/>, the level and
/// status are known values and the progress is 0–100.
/// </summary>
public sealed record StreamLogCommand
{
    [JsonPropertyName("analysis_id")]
    public required string AnalysisId { get; init; }

    [JsonPropertyName("log")]
    public required string Log { get; init; }

    [JsonPropertyName("log_type")]
    public required string LogType { get; init; }

    [JsonPropertyName("status")]
    public required string Status { get; init; }

    /// <summary>Null when the analysis sent none: the stored progress stays.</summary>
    [JsonPropertyName("progress")]
    public int? Progress { get; init; }

    /// <summary>The request's <c>Idempotency-Key</c>: a retry with the same key is stored once.</summary>
    [JsonPropertyName("idempotency_key")]
    public string? IdempotencyKey { get; init; }
}

/// <summary>What ingestion did with a line.</summary>
public enum IngestResult
{
    Stored,

    /// <summary>A retry of a line already stored; nothing was written.</summary>
    Duplicate,

    /// <summary>The analysis was deleted; its lines are no longer accepted.</summary>
    AnalysisDeleted,
}

/// <summary>The logging service's answer to an ingested line: <c>stored</c>, or <c>duplicate</c> for a recognised retry.</summary>
public sealed record IngestAnswer([property: JsonPropertyName("result")] string Result)
{
    public static IngestAnswer Of(IngestResult result) => new(result == IngestResult.Stored ? "stored" : "duplicate");
}
