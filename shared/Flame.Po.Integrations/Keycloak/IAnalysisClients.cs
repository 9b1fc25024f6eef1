namespace Flame.Po.Integrations.Keycloak;

/// <summary>Per-analysis Keycloak clients (docs/compatibility.md#keycloak-clients): clientId = analysis id, name <c>flame-&lt;analysis id&gt;</c>.</summary>
public interface IAnalysisClients
{
    /// <summary>Ensures the client exists (creating it if missing), reads its secret and returns a client-credentials token.</summary>
    Task<AnalysisToken> IssueTokenAsync(string analysisId, CancellationToken cancellationToken);

    /// <summary>Deletes the client; false when it did not exist.</summary>
    Task<bool> DeleteClientAsync(string analysisId, CancellationToken cancellationToken);

    /// <summary>clientIds of every client whose name starts with <c>flame-</c> (for the cleanup of orphans), all pages.</summary>
    Task<IReadOnlyList<string>> ListAnalysisClientIdsAsync(CancellationToken cancellationToken);
}
