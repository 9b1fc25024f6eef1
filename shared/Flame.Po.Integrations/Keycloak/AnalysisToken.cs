namespace Flame.Po.Integrations.Keycloak;

/// <summary>An analysis' client-credentials token. <see cref="ToString"/> leaves the token out so it never reaches a log.</summary>
public sealed record AnalysisToken(string AccessToken, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"AnalysisToken {{ IssuedAt = {IssuedAt:O}, ExpiresAt = {ExpiresAt:O} }}";
}
