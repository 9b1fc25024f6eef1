using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.Dapr.Invocation;

/// <summary>
/// The host calling itself in <c>--target all</c>: an <see cref="HttpMessageHandler"/> that hands a request straight to
/// the host's own request pipeline — the same middleware, authorization and endpoints as a request from the network,
/// without a socket or a second parse. The server is Kestrel wrapped (<see cref="Install"/>) so that the pipeline it
/// is started with can also be entered here. A request that came this way carries a feature no network request can
/// have, which the app-channel policy requires (<see cref="CameThrough"/>). The caller's trace goes along as a
/// <c>traceparent</c> header of a client span, as HttpClient sends it over the network
/// (docs/architecture.md#metrics-and-traces).
/// </summary>
public sealed class LocalChannel
{
    /// <summary>The client spans of calls through the channel.</summary>
    public static readonly ActivitySource Source = new("Flame.Po.Invocation");

    private Func<IFeatureCollection, CancellationToken, Task>? _pipeline;

    /// <summary>Wraps the registered <see cref="IServer"/> (Kestrel) so that its pipeline reaches this channel too.</summary>
    public static void Install(IServiceCollection services)
    {
        var kestrel = services.LastOrDefault(d => d.ServiceType == typeof(IServer))
            ?? throw new InvalidOperationException("No server is registered to wrap.");
        services.Remove(kestrel);
        services.AddSingleton<LocalChannel>();
        services.AddSingleton<IServer>(sp => new Server(Create(sp, kestrel), sp.GetRequiredService<LocalChannel>()));
    }

    /// <summary>True when the request came through this channel, not from the network.</summary>
    public static bool CameThrough(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return http.Features.Get<LocalChannelFeature>() is not null;
    }

    public HttpMessageHandler CreateHandler() => new Handler(this);

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        var pipeline = _pipeline ?? throw new HttpRequestException("The host does not serve requests yet.", null, HttpStatusCode.ServiceUnavailable);
        var uri = message.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(message));
        var content = message.Content is null ? null : await message.Content.ReadAsByteArrayAsync(cancellationToken);
        using var activity = Source.StartActivity($"{message.Method.Method} local-channel", ActivityKind.Client);
        activity?.SetTag("http.request.method", message.Method.Method);
        activity?.SetTag("url.path", uri.AbsolutePath);
        activity?.SetTag("server.address", uri.Host);
        message.Headers.Remove("traceparent");
        message.Headers.Remove("tracestate");
        DistributedContextPropagator.Current.Inject(Activity.Current, message.Headers, static (carrier, name, value) =>
        {
            if (carrier is HttpRequestHeaders headers)
            {
                headers.TryAddWithoutValidation(name, value);
            }
        });
        var request = new HttpRequestFeature
        {
            Method = message.Method.Method,
            Scheme = uri.Scheme,
            Protocol = "HTTP/1.1",
            Path = Uri.UnescapeDataString(uri.AbsolutePath),
            RawTarget = uri.PathAndQuery,
            QueryString = uri.Query,
            Body = content is null ? Stream.Null : new MemoryStream(content, writable: false),
        };
        request.Headers.Host = uri.Authority;
        foreach (var header in message.Headers.Concat(message.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>()))
        {
            request.Headers.Append(header.Key, header.Value.ToArray());
        }

        if (content is not null)
        {
            request.Headers.ContentLength = content.Length;
        }

        var body = new MemoryStream();
        var response = new ResponseFeature();
        var features = new FeatureCollection();
        features.Set<IHttpRequestFeature>(request);
        features.Set<IHttpResponseFeature>(response);
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(body));
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature { RequestAborted = cancellationToken });
        features.Set<IHttpConnectionFeature>(new HttpConnectionFeature { ConnectionId = "local-channel" });
        features.Set<IHttpRequestBodyDetectionFeature>(new BodyDetection(content is { Length: > 0 }));
        features.Set(new LocalChannelFeature());
        await pipeline(features, cancellationToken);
        await response.StartAsync();
        activity?.SetTag("http.response.status_code", response.StatusCode);
        if (response.StatusCode >= 500)
        {
            activity?.SetStatus(ActivityStatusCode.Error);
        }

        var answer = new HttpResponseMessage((HttpStatusCode)response.StatusCode) { RequestMessage = message, Content = new ByteArrayContent(body.ToArray()) };
        foreach (var header in response.Headers)
        {
            if (!answer.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value))
            {
                answer.Content.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string?>)header.Value);
            }
        }

        await response.CompleteAsync();
        return answer;
    }

    private static IServer Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        (IServer)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!));

    /// <summary>Marks a request that came through <see cref="LocalChannel"/>.</summary>
    private sealed class LocalChannelFeature;

    /// <summary>Whether the request has a body (minimal APIs read a body only then).</summary>
    private sealed record BodyDetection(bool CanHaveBody) : IHttpRequestBodyDetectionFeature;

    private sealed class Handler(LocalChannel channel) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            channel.SendAsync(request, cancellationToken);
    }

    /// <summary>Kestrel, started with the host's pipeline, which this channel enters too.</summary>
    private sealed class Server(IServer inner, LocalChannel channel) : IServer
    {
        public IFeatureCollection Features => inner.Features;

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull
        {
            channel._pipeline = async (features, _) =>
            {
                var context = application.CreateContext(features);

                // A hop inside the host is not a request on the network: the request that made it is measured
                // (http.server.request.duration), this one would count it twice under an internal route.
                if (features.Get<IHttpMetricsTagsFeature>() is { } metrics)
                {
                    metrics.MetricsDisabled = true;
                }

                try
                {
                    await application.ProcessRequestAsync(context);
                }
                catch (Exception error)
                {
                    application.DisposeContext(context, error);
                    throw;
                }

                application.DisposeContext(context, null);
            };
            return inner.StartAsync(application, cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            channel._pipeline = null;
            return inner.StopAsync(cancellationToken);
        }

        public void Dispose() => inner.Dispose();
    }

    /// <summary>The response as the pipeline writes it, with the callbacks a server runs when it starts and ends.</summary>
    private sealed class ResponseFeature : IHttpResponseFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> _starting = [];
        private readonly List<(Func<object, Task> Callback, object State)> _completed = [];

        public int StatusCode { get; set; } = 200;

        public string? ReasonPhrase { get; set; }

        public IHeaderDictionary Headers { get; set; } = new HeaderDictionary();

        public Stream Body { get; set; } = Stream.Null;

        public bool HasStarted { get; private set; }

        public void OnStarting(Func<object, Task> callback, object state) => _starting.Insert(0, (callback, state));

        public void OnCompleted(Func<object, Task> callback, object state) => _completed.Insert(0, (callback, state));

        public async Task StartAsync()
        {
            if (HasStarted)
            {
                return;
            }

            HasStarted = true;
            foreach (var (callback, state) in _starting)
            {
                await callback(state);
            }
        }

        public async Task CompleteAsync()
        {
            foreach (var (callback, state) in _completed)
            {
                await callback(state);
            }
        }
    }
}
