using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

using Flame.Po.Integrations.Http;

using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flame.Po.Integrations.Hub;

/// <summary>
/// The one Hub client of the process (docs/compatibility.md#hub): one cached token, the node id looked up once,
/// analysis-node ids cached per analysis, retries with jitter and a circuit breaker so that a Hub outage fails fast.
/// </summary>
public sealed class HubClient : IHubClient, IDisposable
{
    internal const string HttpClientName = "flame-hub";
    private const string Dependency = "hub";
    private const int PageSize = 50;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly HubSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DependencyChannel _channel;
    private readonly AccessTokenCache _token;
    private readonly SemaphoreSlim _nodeGate = new(1, 1);
    private readonly ConcurrentDictionary<string, string> _analysisNodes = new(StringComparer.Ordinal);
    private volatile string? _nodeId;

    public HubClient(IOptions<HubSettings> settings, IOptions<IntegrationResilienceOptions> resilience, IHttpClientFactory httpClients, TimeProvider time, ILogger<HubClient> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(resilience);
        _settings = settings.Value;
        _time = time;
        _logger = logger;
        var options = resilience.Value;
        var pipeline = IntegrationPipelines.Build(Dependency, options.HubAttemptTimeout, circuitBreaker: true, options, time, logger);
        _channel = new DependencyChannel(Dependency, "The Hub", httpClients, HttpClientName, pipeline, () => [_settings.ClientSecret]);
        _token = new AccessTokenCache(FetchTokenAsync, time, options.TokenRenewalShare);
    }

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(_settings.CoreUrl) && !string.IsNullOrWhiteSpace(_settings.AuthUrl)
        && !string.IsNullOrWhiteSpace(_settings.ClientId) && !string.IsNullOrWhiteSpace(_settings.ClientSecret);

    private string CoreUrl => _settings.CoreUrl!.TrimEnd('/');

    public async Task<string> GetNodeIdAsync(CancellationToken cancellationToken)
    {
        if (!IsConfigured)
        {
            return "";
        }

        if (_nodeId is { } cached)
        {
            return cached;
        }

        await _nodeGate.WaitAsync(cancellationToken);
        try
        {
            if (_nodeId is { } raced)
            {
                return raced;
            }

            var url = Query("/nodes", ("filter[client_id]", _settings.ClientId!), ("page[limit]", "50"), ("page[offset]", "0"), ("include", "registry,registry_project"));
            var nodes = await GetCollectionAsync<HubNode>(url, "the node lookup", cancellationToken);
            var id = (nodes.Count > 0 ? nodes[0].Id : null)
                ?? throw _channel.Rejected(HttpStatusCode.NotFound, $"no node is registered for HUB_CLIENT_ID {_settings.ClientId}.");
            _logger.LogInformation("Hub node id resolved: {NodeId}", id);
            _nodeId = id;
            return id;
        }
        finally
        {
            _nodeGate.Release();
        }
    }

    public async Task<string?> FindAnalysisNodeIdAsync(string analysisId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(analysisId);
        if (!IsConfigured)
        {
            return null;
        }

        if (_analysisNodes.TryGetValue(analysisId, out var cached))
        {
            return cached;
        }

        var nodeId = await GetNodeIdAsync(cancellationToken);
        var url = Query("/analysis-nodes", ("filter[analysis_id]", analysisId), ("filter[node_id]", nodeId), ("page[limit]", "50"), ("page[offset]", "0"), ("include", "analysis,node"));
        var entries = await GetCollectionAsync<HubAnalysisNode>(url, $"the analysis-node lookup of {analysisId}", cancellationToken);
        var found = entries.Count > 0 ? entries[0].Id : null;
        // Only hits are cached: the Hub may learn about the analysis later.
        return found is null ? null : _analysisNodes.GetOrAdd(analysisId, found);
    }

    public async Task<IReadOnlyDictionary<string, string?>> GetPartnerStatusesAsync(string analysisId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(analysisId);
        var statuses = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (!IsConfigured)
        {
            return statuses;
        }

        var nodeId = await GetNodeIdAsync(cancellationToken);
        for (var offset = 0; ; offset += PageSize)
        {
            var url = Query("/analysis-nodes", ("filter[analysis_id]", analysisId), ("page[limit]", PageSize.ToString(CultureInfo.InvariantCulture)), ("page[offset]", offset.ToString(CultureInfo.InvariantCulture)), ("include", "analysis,node"));
            var page = await GetCollectionAsync<HubAnalysisNode>(url, $"the partner lookup of {analysisId}", cancellationToken);
            foreach (var entry in page.Where(e => !string.Equals(e.NodeId, nodeId, StringComparison.Ordinal)))
            {
                statuses[entry.Id] = entry.ExecutionStatus;
            }

            if (page.Count < PageSize)
            {
                return statuses;
            }
        }
    }

    public async Task UpdateAnalysisNodeAsync(string analysisNodeId, string executionStatus, int? progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(analysisNodeId);
        var status = HubEnumerations.ToHubStatus(executionStatus, nameof(executionStatus));
        if (progress is < 0 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(progress), progress, "The Hub accepts a progress from 0 to 100.");
        }

        if (!IsConfigured)
        {
            return;
        }

        var body = new JsonObject { ["execution_status"] = status };
        if (progress is { } value)
        {
            body["execution_progress"] = value;
        }

        // Setting a status is idempotent, so it may be retried on 5xx and timeouts.
        await PostAsync($"/analysis-nodes/{Uri.EscapeDataString(analysisNodeId)}", body, idempotent: true, $"the update of analysis-node {analysisNodeId}", cancellationToken);
    }

    public async Task CreateLogAsync(string analysisId, string level, string message, string status, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(analysisId);
        ArgumentNullException.ThrowIfNull(message);
        var hubLevel = HubEnumerations.ToHubLevel(level, nameof(level));
        var hubStatus = HubEnumerations.ToHubStatus(status, nameof(status));
        if (!IsConfigured)
        {
            return;
        }

        var body = new JsonObject
        {
            ["analysis_id"] = analysisId,
            ["node_id"] = await GetNodeIdAsync(cancellationToken),
            ["code"] = null,
            ["status"] = hubStatus,
            ["message"] = message,
            ["level"] = hubLevel,
        };
        // A repeated log line would show twice in the Hub, so only a 429 (not processed) is retried.
        await PostAsync("/analysis-node-logs", body, idempotent: false, $"the log line of analysis {analysisId}", cancellationToken);
    }

    public void Dispose()
    {
        _token.Dispose();
        _nodeGate.Dispose();
    }

    private string Query(string path, params (string Key, string Value)[] parameters) =>
        QueryHelpers.AddQueryString(CoreUrl + path, parameters.Select(p => KeyValuePair.Create(p.Key, (string?)p.Value)));

    private async Task<IReadOnlyList<T>> GetCollectionAsync<T>(string url, string what, CancellationToken cancellationToken)
    {
        using var response = await _channel.SendAuthorizedAsync(_token, () => new HttpRequestMessage(HttpMethod.Get, url), idempotent: true, cancellationToken);
        await _channel.EnsureSuccessAsync(response, what, cancellationToken);
        try
        {
            return (await response.Content.ReadFromJsonAsync<HubCollection<T>>(Json, cancellationToken))?.Data ?? [];
        }
        catch (JsonException)
        {
            throw _channel.Rejected(response.StatusCode, $"{what} answered something other than a collection.");
        }
    }

    private async Task PostAsync(string path, JsonObject body, bool idempotent, string what, CancellationToken cancellationToken)
    {
        var json = body.ToJsonString();
        using var response = await _channel.SendAuthorizedAsync(
            _token,
            () => new HttpRequestMessage(HttpMethod.Post, CoreUrl + path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") },
            idempotent,
            cancellationToken);
        await _channel.EnsureSuccessAsync(response, what, cancellationToken);
    }

    private async Task<IssuedToken> FetchTokenAsync(CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["grant_type"] = "client_credentials", ["client_id"] = _settings.ClientId, ["client_secret"] = _settings.ClientSecret }.ToJsonString();
        var requestedAt = _time.GetUtcNow();
        using var response = await _channel.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, $"{_settings.AuthUrl!.TrimEnd('/')}/token") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") },
            idempotent: true,
            cancellationToken);
        await _channel.EnsureSuccessAsync(response, "the token request (HUB_CLIENT_ID)", cancellationToken);
        return await TokenResponses.ReadAsync(response, requestedAt, cancellationToken)
            ?? throw _channel.Rejected(response.StatusCode, "the token request answered without an access_token.");
    }
}
