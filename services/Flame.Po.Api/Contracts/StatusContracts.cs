using System.Text.Json.Serialization;

namespace Flame.Po.Api.Contracts;

/// <summary>One analysis in <c>GET /po/status</c>: exactly the old <c>{status, progress}</c> pair (po-spec §3.6, §15).</summary>
public sealed record AnalysisStatusEntry(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("progress")] int Progress);

/// <summary>What the lifecycle's <c>analyses/status</c> answers per analysis; the Api passes on only the compatible part.</summary>
public sealed record LifecycleStatusView(string Status, int Progress, string? Reason, int RestartCounter, string? DeploymentName);

/// <summary>Body of the lifecycle's stop/delete/status methods: the addressed analyses, null = all.</summary>
public sealed record AnalysisSelection([property: JsonPropertyName("analysis_ids")] IReadOnlyList<string>? AnalysisIds)
{
    public static AnalysisSelection All { get; } = new((IReadOnlyList<string>?)null);

    public static AnalysisSelection One(string analysisId) => new([analysisId]);
}
