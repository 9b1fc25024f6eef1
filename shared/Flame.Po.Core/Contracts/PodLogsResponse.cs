using System.Text.Json.Serialization;

namespace Flame.Po.Core.Contracts;

/// <summary>
/// <c>GET /po/history</c> and <c>GET /po/logs</c>: per analysis id, one log text per pod or container attempt, for
/// the analysis and for its nginx — the old <c>{"analysis": {id: [...]}, "nginx": {id: [...]}}</c>
/// (docs/compatibility.md#history).
/// </summary>
public sealed record PodLogsResponse(
    [property: JsonPropertyName("analysis")] Dictionary<string, List<string>> Analysis,
    [property: JsonPropertyName("nginx")] Dictionary<string, List<string>> Nginx);
