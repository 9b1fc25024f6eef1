using System.Text.Json.Serialization;

namespace Flame.Po.Core.Contracts;

/// <summary>Which analyses a stop or delete addresses: the given ids, or all when <see cref="AnalysisIds"/> is null.</summary>
public sealed record AnalysisSelection([property: JsonPropertyName("analysis_ids")] IReadOnlyList<string>? AnalysisIds)
{
    public static AnalysisSelection All { get; } = new((IReadOnlyList<string>?)null);

    public static AnalysisSelection One(string analysisId) => new([analysisId]);

    /// <summary>The one addressed id, or null for all.</summary>
    [JsonIgnore]
    public string? OnlyId => AnalysisIds is [var only] ? only : null;
}

/// <summary>The cleanup types of <c>DELETE /po/cleanup/{types}</c>, split at commas.</summary>
public sealed record CleanupSelection([property: JsonPropertyName("types")] IReadOnlyList<string> Types);
