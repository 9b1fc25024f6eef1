using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

using Flame.Po.Kubernetes.Configuration;
using Flame.Po.Kubernetes.Models;
using Flame.Po.Kubernetes.Serialization;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Flame.Po.Kubernetes.Client;

/// <summary>
/// A small typed client of the Kubernetes REST API. Ordinary calls get a per-attempt timeout and Polly retries:
/// 429 for every call (honouring <c>Retry-After</c>), 5xx and timeouts only for idempotent calls, with jittered
/// exponential backoff. Non-success answers become <see cref="KubernetesApiException"/>s carrying the Status.
/// </summary>
public sealed class KubernetesClient : IDisposable
{
    private static readonly ResiliencePropertyKey<bool> IdempotentKey = new("flame.kubernetes.idempotent");

    private readonly HttpClient _http;
    private readonly ITokenSource? _token;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly ILogger _logger;

    public KubernetesClient(KubernetesConnection connection, KubernetesClientOptions? options = null, ILogger<KubernetesClient>? logger = null)
        : this(connection, CreateHandler(connection), options, logger)
    {
    }

    /// <summary>With an explicit handler (tests, or a caller that owns the connection pool).</summary>
    public KubernetesClient(KubernetesConnection connection, HttpMessageHandler handler, KubernetesClientOptions? options = null, ILogger<KubernetesClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        Options = options ?? new KubernetesClientOptions();
        DefaultNamespace = connection.Namespace;
        _token = connection.Token;
        _logger = logger ?? NullLogger<KubernetesClient>.Instance;
        _http = new HttpClient(handler) { BaseAddress = connection.Server, Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("flame-pod-orchestrator/1.0");
        _pipeline = BuildPipeline();
    }

    public KubernetesClientOptions Options { get; }
    public string DefaultNamespace { get; }

    public ResourceClient<T> Resource<T>(string? ns = null)
        where T : KubernetesObject, IKubernetesResource => new(this, ns ?? DefaultNamespace);

    public ResourceClient<Deployment> Deployments(string? ns = null) => Resource<Deployment>(ns);
    public ResourceClient<Service> Services(string? ns = null) => Resource<Service>(ns);
    public ResourceClient<NetworkPolicy> NetworkPolicies(string? ns = null) => Resource<NetworkPolicy>(ns);
    public ResourceClient<ConfigMap> ConfigMaps(string? ns = null) => Resource<ConfigMap>(ns);
    public ResourceClient<Secret> Secrets(string? ns = null) => Resource<Secret>(ns);
    public ResourceClient<Pod> Pods(string? ns = null) => Resource<Pod>(ns);

    /// <summary>
    /// A raw request to a Service through the API server's proxy subresource (the PO outside the cluster). The
    /// answer is returned as is (the analysis' own status codes matter); the caller disposes it.
    /// </summary>
    public async Task<HttpResponseMessage> ProxyAsync(string service, int port, string path, HttpMethod method, HttpContent? body = null, string? ns = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('/') || path.Contains("..", StringComparison.Ordinal) || path.Any(char.IsControl))
        {
            throw new ArgumentException("The proxied path must be absolute and must not contain '..' or control characters.", nameof(path));
        }

        var target = $"{ResourceKind.Services.ItemPath(ns ?? DefaultNamespace, $"{service}:{port.ToString(CultureInfo.InvariantCulture)}")}/proxy{path}";
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.RequestTimeout);
        using var request = new HttpRequestMessage(method, target) { Content = body };
        await AuthorizeAsync(request, cancellationToken);
        return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Sends through the retry pipeline; returns a success answer or throws the typed error.</summary>
    internal async Task<HttpResponseMessage> SendAsync(HttpMethod method, string target, Func<HttpContent?>? content, bool idempotent, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(IdempotentKey, idempotent);
        try
        {
            var response = await _pipeline.ExecuteAsync(
                static async (ctx, state) => await state.client.SendOnceAsync(state.method, state.target, state.content, HttpCompletionOption.ResponseContentRead, ctx.CancellationToken),
                context,
                (client: this, method, target, content));
            await ThrowIfFailedAsync(response, cancellationToken);
            return response;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>A streaming GET (watch, followed logs): no timeout and no retry; the caller reconnects.</summary>
    internal async Task<HttpResponseMessage> SendStreamingAsync(string target, CancellationToken cancellationToken)
    {
        var response = await SendOnceAsync(HttpMethod.Get, target, null, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await ThrowIfFailedAsync(response, cancellationToken);
        return response;
    }

    internal static async Task<KubernetesStatus> ReadStatusAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            var status = JsonSerializer.Deserialize<KubernetesStatus>(body, KubernetesJson.Options);
            if (status?.Kind == "Status")
            {
                return status;
            }
        }
        catch (JsonException)
        {
            // Not a Status (a proxy or load balancer answered): keep the text below.
        }

        return new KubernetesStatus { Status = "Failure", Code = (int)response.StatusCode, Reason = response.StatusCode.ToString(), Message = body.Length > 1000 ? body[..1000] : body };
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string target, Func<HttpContent?>? content, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, target) { Content = content?.Invoke() };
            await AuthorizeAsync(request, cancellationToken);
            var response = await _http.SendAsync(request, completion, cancellationToken);
            // A rotated service-account token: read the file again and repeat once.
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0 && _token?.Invalidate() == true)
            {
                response.Dispose();
                continue;
            }

            return response;
        }
    }

    private async Task AuthorizeAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_token is not null && await _token.GetTokenAsync(cancellationToken) is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    private static async Task ThrowIfFailedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        using (response)
        {
            throw KubernetesApiException.For(response.StatusCode, await ReadStatusAsync(response, cancellationToken));
        }
    }

    private ResiliencePipeline<HttpResponseMessage> BuildPipeline() =>
        new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = Options.TimeProvider }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = Math.Max(1, Options.MaxRetries),
                Delay = Options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context.Properties.GetValue(IdempotentKey, false))),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                OnRetry = args =>
                {
                    _logger.LogWarning(
                        "Kubernetes request answered {Status}; retry {Attempt} in {Delay} ms",
                        args.Outcome.Result is { } r ? ((int)r.StatusCode).ToString(CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name,
                        args.AttemptNumber + 1,
                        (long)args.RetryDelay.TotalMilliseconds);
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            })
            .AddTimeout(Options.RequestTimeout)
            .Build();

    private static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, bool idempotent)
    {
        if (outcome.Result is { } response)
        {
            var code = (int)response.StatusCode;
            // 429 means the server did not process the request, so even a create may be repeated.
            return code == 429 || (idempotent && code is 500 or 502 or 503 or 504);
        }

        return idempotent && outcome.Exception is HttpRequestException or TimeoutRejectedException or IOException;
    }

    /// <summary>The server's Retry-After (seconds or date) when present, else null for the jittered backoff.</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        var header = response?.Headers.RetryAfter;
        TimeSpan? delay = header?.Delta ?? (header?.Date is { } date ? date - Options.TimeProvider.GetUtcNow() : null);
        return delay is null ? null : TimeSpan.FromTicks(Math.Clamp(delay.Value.Ticks, 0, Options.MaxRetryAfter.Ticks));
    }

    private static SocketsHttpHandler CreateHandler(KubernetesConnection connection)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            KeepAlivePingDelay = TimeSpan.FromMinutes(3),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
            EnableMultipleHttp2Connections = true,
        };
        if (connection.ClientCertificate is { } certificate)
        {
            handler.SslOptions.ClientCertificates = [certificate];
        }

        if (connection.TlsServerName is { Length: > 0 } serverName)
        {
            handler.SslOptions.TargetHost = serverName;
        }

        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            ValidateServerCertificate(connection, certificate as X509Certificate2, errors);
        return handler;
    }

    /// <summary>Trust only the configured CAs when there are any (reference/kubernetes.md §2.1 TLS).</summary>
    private static bool ValidateServerCertificate(KubernetesConnection connection, X509Certificate2? certificate, SslPolicyErrors errors)
    {
        if (connection.SkipTlsVerify)
        {
            return true;
        }

        if (certificate is null || connection.CertificateAuthorities.Count == 0 || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return errors == SslPolicyErrors.None && certificate is not null;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(connection.CertificateAuthorities);
        return chain.Build(certificate);
    }
}
