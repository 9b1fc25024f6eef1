namespace Flame.Po.Integrations.Keycloak;

/// <summary>Skeleton; implemented next.</summary>
public sealed class KeycloakAnalysisClients : IAnalysisClients
{
    internal const string HttpClientName = "flame-keycloak";

    public Task<AnalysisToken> IssueTokenAsync(string analysisId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> DeleteClientAsync(string analysisId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<string>> ListAnalysisClientIdsAsync(CancellationToken cancellationToken) => throw new NotSupportedException();
}
