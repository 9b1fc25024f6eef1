using System.Text.Json.Serialization;

namespace Flame.Po.Api.Contracts;

/// <summary>One analysis in <c>GET /po/status</c>: exactly the old <c>{status, progress}</c> pair (docs/compatibility.md#status).</summary>
public sealed record AnalysisStatusEntry(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("progress")] int Progress);
