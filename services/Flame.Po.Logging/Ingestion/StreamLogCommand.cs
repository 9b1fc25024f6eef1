namespace Flame.Po.Logging.Ingestion;

/// <summary>
/// One line from an analysis (po-spec §3.11), already authenticated and validated by the Api: the caller is the
/// analysis <see cref="AnalysisId"/>, the level and status are known values and the progress is 0–100.
/// </summary>
public sealed record StreamLogCommand
{
    public required string AnalysisId { get; init; }
    public required string Log { get; init; }
    public required string LogType { get; init; }
    public required string Status { get; init; }

    /// <summary>Null when the analysis sent none: the stored progress stays.</summary>
    public int? Progress { get; init; }

    /// <summary>The request's <c>Idempotency-Key</c>: a retry with the same key is stored once.</summary>
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
