namespace Flame.Po.Integrations.Hub;

/// <summary>The calls of the PO to the FLAME Hub (docs/compatibility.md#hub).</summary>
public interface IHubClient
{
    /// <summary>False when HUB_* is not configured: then every call is a no-op / returns empty, and nothing is sent.</summary>
    bool IsConfigured { get; }

    /// <summary>The Hub id of this node; cached after the first success.</summary>
    Task<string> GetNodeIdAsync(CancellationToken cancellationToken);

    /// <summary>The analysis-node id of this node for the analysis; null when the Hub does not know it.</summary>
    Task<string?> FindAnalysisNodeIdAsync(string analysisId, CancellationToken cancellationToken);

    /// <summary>Analysis-node id → execution_status (null values possible) of the partner nodes, own entry removed.</summary>
    Task<IReadOnlyDictionary<string, string?>> GetPartnerStatusesAsync(string analysisId, CancellationToken cancellationToken);

    Task UpdateAnalysisNodeAsync(string analysisNodeId, string executionStatus, int? progress, CancellationToken cancellationToken);

    Task CreateLogAsync(string analysisId, string level, string message, string status, CancellationToken cancellationToken);
}
