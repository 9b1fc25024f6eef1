using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

using Flame.Po.Integrations.Http;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Flame.Po.Integrations.Keycloak;

/// <summary>
/// Per-analysis clients through the Keycloak admin API (docs/compatibility.md#keycloak-clients), always in the
/// configured realm (docs/compatibility.md#b22). The admin token is cached and renewed early; creation races and
/// already-deleted clients are not errors.
/// </summary>
public sealed class KeycloakAnalysisClients : IAnalysisClients, IDisposable
{
    internal const string HttpClientName = "flame-keycloak";
    internal const string NamePrefix = "flame-";
    private const string Dependency = "keycloak";
    private const int PageSize = 100;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly KeycloakSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DependencyChannel _channel;
    private readonly AccessTokenCache _adminToken;

    public KeycloakAnalysisClients(IOptions<KeycloakSettings> settings, IOptions<IntegrationResilienceOptions> resilience, IHttpClientFactory httpClients, TimeProvider time, ILogger<KeycloakAnalysisClients> logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(resilience);
        _settings = settings.Value;
        _time = time;
        _logger = logger;
        var options = resilience.Value;
        var pipeline = IntegrationPipelines.Build(Dependency, options.KeycloakAttemptTimeout, circuitBreaker: false, options, time, logger);
        _channel = new DependencyChannel(Dependency, "Keycloak", httpClients, HttpClientName, pipeline, () => [_settings.AdminClientSecret]);
        _adminToken = new AccessTokenCache(FetchAdminTokenAsync, time, options.TokenRenewalShare);
    }

    private bool IsConfigured => _settings.ManagesClients;

    private string RealmUrl => $"{_settings.Url!.TrimEnd('/')}/realms/{Uri.EscapeDataString(_settings.Realm)}";

    private string ClientsUrl => $"{_settings.Url!.TrimEnd('/')}/admin/realms/{Uri.EscapeDataString(_settings.Realm)}/clients";

    public async Task<AnalysisToken> IssueTokenAsync(string analysisId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(analysisId);
        EnsureConfigured();
        var client = await FindAsync(analysisId, cancellationToken) ?? await CreateAsync(analysisId, cancellationToken);
        var secret = client.Secret ?? await ReadSecretAsync(client, cancellationToken);
        var token = await RequestTokenAsync(analysisId, secret, $"the token request of analysis client {analysisId}", cancellationToken);
        return new AnalysisToken(token.AccessToken, token.IssuedAt, token.ExpiresAt);
    }

    public async Task<bool> DeleteClientAsync(string analysisId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(analysisId);
        EnsureConfigured();
        if (await FindAsync(analysisId, cancellationToken) is not { } client)
        {
            return false;
        }

        using var response = await AdminAsync(HttpMethod.Delete, $"{ClientsUrl}/{Uri.EscapeDataString(client.Id)}", null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            // Deleted by someone else between lookup and delete: the goal is reached all the same.
            return false;
        }

        await _channel.EnsureSuccessAsync(response, $"deleting client {analysisId}", cancellationToken);
        _logger.LogInformation("Deleted Keycloak client of analysis {AnalysisId}", analysisId);
        return true;
    }

    public async Task<IReadOnlyList<string>> ListAnalysisClientIdsAsync(CancellationToken cancellationToken)
    {
        EnsureConfigured();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<string>();
        for (var first = 0; ; first += PageSize)
        {
            var page = await GetClientsAsync($"{ClientsUrl}?first={first.ToString(CultureInfo.InvariantCulture)}&max={PageSize.ToString(CultureInfo.InvariantCulture)}", "listing clients", cancellationToken);
            var fresh = page.Where(c => seen.Add(c.Id)).ToList();
            result.AddRange(fresh.Where(IsAnalysisClient).Select(c => c.ClientId));
            // A server that ignores paging answers every page with the same clients; no new ones means the end.
            if (page.Count < PageSize || fresh.Count == 0)
            {
                return result;
            }
        }
    }

    public void Dispose() => _adminToken.Dispose();

    /// <summary>
    /// The PO's own admin client is never an analysis client, even when its name happens to start with
    /// <c>flame-</c> (e.g. <c>flame-po</c>): an orphan cleanup must not delete the credentials it runs on.
    /// </summary>
    private bool IsAnalysisClient(ClientRepresentation client) =>
        client.Name?.StartsWith(NamePrefix, StringComparison.Ordinal) == true
        && !string.Equals(client.ClientId, _settings.AdminClientId, StringComparison.Ordinal);

    private void EnsureConfigured()
    {
        if (!IsConfigured)
        {
            throw new IntegrationUnavailableException(Dependency, "Keycloak is not configured (KEYCLOAK_URL, RESULT_CLIENT_ID, RESULT_CLIENT_SECRET)");
        }
    }

    private async Task<ClientRepresentation?> FindAsync(string analysisId, CancellationToken cancellationToken)
    {
        var clients = await GetClientsAsync($"{ClientsUrl}?clientId={Uri.EscapeDataString(analysisId)}", $"the lookup of client {analysisId}", cancellationToken);
        // clientId is a search parameter, so an exact match is picked from what comes back.
        return clients.FirstOrDefault(c => string.Equals(c.ClientId, analysisId, StringComparison.Ordinal));
    }

    private async Task<ClientRepresentation> CreateAsync(string analysisId, CancellationToken cancellationToken)
    {
        var body = new Dictionary<string, object> { ["clientId"] = analysisId, ["name"] = NamePrefix + analysisId, ["serviceAccountsEnabled"] = true };
        using (var response = await AdminAsync(HttpMethod.Post, ClientsUrl, () => JsonContent.Create(body), cancellationToken))
        {
            // 409: a concurrent create won the race (or a retried create had succeeded); the client exists either way.
            if (response.StatusCode != HttpStatusCode.Conflict)
            {
                await _channel.EnsureSuccessAsync(response, $"creating client {analysisId}", cancellationToken);
                _logger.LogInformation("Created Keycloak client of analysis {AnalysisId}", analysisId);
            }
        }

        return await FindAsync(analysisId, cancellationToken)
            ?? throw _channel.Rejected(HttpStatusCode.NotFound, $"client {analysisId} is missing right after it was created.");
    }

    /// <summary>Only needed when the lookup omits the secret (a narrower admin role than view-clients).</summary>
    private async Task<string> ReadSecretAsync(ClientRepresentation client, CancellationToken cancellationToken)
    {
        using var response = await AdminAsync(HttpMethod.Get, $"{ClientsUrl}/{Uri.EscapeDataString(client.Id)}/client-secret", null, cancellationToken);
        await _channel.EnsureSuccessAsync(response, $"reading the secret of client {client.ClientId}", cancellationToken);
        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        return document.RootElement.TryGetProperty("value", out var value) && value.GetString() is { Length: > 0 } secret
            ? secret
            : throw _channel.Rejected(response.StatusCode, $"client {client.ClientId} has no secret.");
    }

    private async Task<List<ClientRepresentation>> GetClientsAsync(string url, string what, CancellationToken cancellationToken)
    {
        using var response = await AdminAsync(HttpMethod.Get, url, null, cancellationToken);
        await _channel.EnsureSuccessAsync(response, what, cancellationToken);
        try
        {
            return await response.Content.ReadFromJsonAsync<List<ClientRepresentation>>(Json, cancellationToken) ?? [];
        }
        catch (JsonException)
        {
            throw _channel.Rejected(response.StatusCode, $"{what} answered something other than a list of clients.");
        }
    }

    /// <summary>Every admin call is idempotent: a repeated create answers 409, which counts as success.</summary>
    private Task<HttpResponseMessage> AdminAsync(HttpMethod method, string url, Func<HttpContent>? content, CancellationToken cancellationToken) =>
        _channel.SendAuthorizedAsync(_adminToken, () => new HttpRequestMessage(method, url) { Content = content?.Invoke() }, idempotent: true, cancellationToken);

    private Task<IssuedToken> FetchAdminTokenAsync(CancellationToken cancellationToken) =>
        RequestTokenAsync(_settings.AdminClientId!, _settings.AdminClientSecret!, "the admin token request (RESULT_CLIENT_ID)", cancellationToken);

    private async Task<IssuedToken> RequestTokenAsync(string clientId, string secret, string what, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret };
        var requestedAt = _time.GetUtcNow();
        using var response = await _channel.SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, $"{RealmUrl}/protocol/openid-connect/token") { Content = new FormUrlEncodedContent(form) },
            idempotent: true,
            cancellationToken);
        await _channel.EnsureSuccessAsync(response, what, cancellationToken);
        return await TokenResponses.ReadAsync(response, requestedAt, cancellationToken)
            ?? throw _channel.Rejected(response.StatusCode, $"{what} answered without an access_token.");
    }
}
