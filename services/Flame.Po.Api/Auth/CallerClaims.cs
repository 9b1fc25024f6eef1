using System.Security.Claims;
using Flame.Po.Core.Analyses;

namespace Flame.Po.Api.Auth;

/// <summary>Who a validated Keycloak token speaks for: its client (<c>azp</c>, or <c>client_id</c> for service accounts).</summary>
public static class CallerClaims
{
    public static string? ClientId(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var value = principal.FindFirst("azp")?.Value ?? principal.FindFirst("client_id")?.Value;
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary>Per-analysis Keycloak clients are named after the analysis id (docs/compatibility.md#keycloak-clients), so a UUID client is an analysis.</summary>
    public static string? AnalysisId(ClaimsPrincipal principal) =>
        AnalysisIds.TryNormalize(ClientId(principal), out var id) ? id : null;

    /// <summary>True only for the token of exactly this analysis (docs/compatibility.md#b18): the body's id must be the caller's own.</summary>
    public static bool IsAnalysis(ClaimsPrincipal principal, string? analysisId) =>
        AnalysisId(principal) is { } own && AnalysisIds.TryNormalize(analysisId, out var claimed) && own == claimed;
}
