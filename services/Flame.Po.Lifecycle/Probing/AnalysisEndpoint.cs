using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Reconciler;
using Flame.Po.Lifecycle.Workloads;
using Microsoft.Extensions.Options;

namespace Flame.Po.Lifecycle.Probing;

/// <summary>
/// Calls the SDK routes of an analysis through its nginx (<c>/analysis/healthz</c>, <c>/analysis/token_refresh</c>,
/// <c>/analysis/partner_status</c>, docs/compatibility.md#analysis-sdk): directly by cluster DNS in the cluster,
/// through the API server's service proxy outside it (one switch, one code path above it:
/// docs/architecture.md#reaching-an-analysis). Every call has a short timeout and never throws for an analysis
/// that misbehaves (docs/compatibility.md#b11).
/// </summary>
public sealed class AnalysisEndpoint(ClusterConnection cluster, IHttpClientFactory httpClientFactory, IOptions<LifecycleSettings> settings, LifecycleTelemetry? telemetry = null)
{
    public const string HttpClientName = "analysis-endpoint";
    private const int NginxServicePort = 80;

    /// <summary>One healthz probe, counted by outcome (<c>flame_po_probe_results_total</c>).</summary>
    public async Task<ProbeResult> HealthzAsync(WorkloadNames names, CancellationToken cancellationToken)
    {
        var (result, outcome) = await ProbeAsync(names, cancellationToken);
        telemetry?.Probed(outcome);
        return result;
    }

    private async Task<(ProbeResult Result, string Outcome)> ProbeAsync(WorkloadNames names, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(names);
        try
        {
            using var response = await SendAsync(names, HttpMethod.Get, "/analysis/healthz", body: null, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return (ProbeResult.Unreachable($"healthz answered HTTP {(int)response.StatusCode}"), "http_error");
            }

            var document = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
            var status = document?["status"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
            if (string.IsNullOrWhiteSpace(status))
            {
                return (ProbeResult.Unreachable("healthz answered without a status"), "no_status");
            }

            int? remaining = document?["token_remaining_time"] is JsonValue seconds && seconds.TryGetValue<double>(out var number) ? (int)number : null;
            return (ProbeResult.Reported(status.Trim().ToLowerInvariant(), remaining), "answered");
        }
        catch (Exception error) when (IsAnalysisFault(error, cancellationToken))
        {
            var outcome = error switch
            {
                OperationCanceledException => "timeout",
                JsonException or NotSupportedException => "malformed",
                k8s.Autorest.HttpOperationException => "http_error",
                _ => "unreachable",
            };
            return (ProbeResult.Unreachable(Describe(error)), outcome);
        }
    }

    /// <summary>Hands a new Keycloak token to the running analysis; false when it did not accept it.</summary>
    public async Task<bool> SendTokenAsync(WorkloadNames names, string token, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(names, HttpMethod.Post, "/analysis/token_refresh", new JsonObject { ["token"] = token }, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception error) when (IsAnalysisFault(error, cancellationToken))
        {
            return false;
        }
    }

    /// <summary>Pushes the partner nodes' statuses into the analysis (docs/compatibility.md#partner-status).</summary>
    public async Task<bool> SendPartnerStatusAsync(WorkloadNames names, IReadOnlyDictionary<string, string?> partners, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(partners);
        var body = new JsonObject { ["partner_status"] = new JsonObject(partners.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))) };
        try
        {
            using var response = await SendAsync(names, HttpMethod.Post, "/analysis/partner_status", body, cancellationToken);
            return response.IsSuccessStatusCode;
        }
        catch (Exception error) when (IsAnalysisFault(error, cancellationToken))
        {
            return false;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(WorkloadNames names, HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.Value.HealthzTimeout);
        using var content = body is null ? null : JsonContent.Create(body);
        if (cluster.UsesServiceProxy)
        {
            return await cluster.ProxyAsync(names.Nginx, NginxServicePort, path, method, content, timeout.Token);
        }

        var http = httpClientFactory.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(method, new Uri($"http://{names.Nginx}.{cluster.Namespace}.svc:{NginxServicePort}{path}")) { Content = content };
        return await http.SendAsync(request, timeout.Token);
    }

    private static bool IsAnalysisFault(Exception error, CancellationToken cancellationToken) =>
        error is HttpRequestException or JsonException or NotSupportedException or k8s.Autorest.HttpOperationException
        || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static string Describe(Exception error) => error switch
    {
        OperationCanceledException => "healthz timed out",
        JsonException or NotSupportedException => "healthz answered with a malformed body",
        _ => $"healthz unreachable: {error.Message}",
    };
}
