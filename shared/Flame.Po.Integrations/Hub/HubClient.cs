namespace Flame.Po.Integrations.Hub;

/// <summary>Skeleton; implemented next.</summary>
public sealed class HubClient : IHubClient
{
    internal const string HttpClientName = "flame-hub";

    public bool IsConfigured => false;

    public Task<string> GetNodeIdAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<string?> FindAnalysisNodeIdAsync(string analysisId, CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    public Task<IReadOnlyDictionary<string, string?>> GetPartnerStatusesAsync(string analysisId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>());

    public Task UpdateAnalysisNodeAsync(string analysisNodeId, string executionStatus, int? progress, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task CreateLogAsync(string analysisId, string level, string message, string status, CancellationToken cancellationToken) => Task.CompletedTask;
}
