using Flame.Po.Core.Analyses;

namespace Flame.Po.Api.Validation;

/// <summary>
/// The <c>{analysis_id}</c> path segment: a UUID, normalised to lower case. The old service's <c>all</c> alias is
/// not honoured: "all" is the route without an id, so a typo can never address every analysis.
/// </summary>
public static class RouteIds
{
    public const string Field = "analysis_id";

    public static bool TryNormalize(string? value, out string analysisId)
    {
        var ok = AnalysisIds.TryNormalize(value, out var normalized);
        analysisId = normalized ?? "";
        return ok;
    }
}
