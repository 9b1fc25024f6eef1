using Dapr.Client;
using Flame.Po.Dapr.Sidecar;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flame.Po.Dapr.Invocation;

public static class ServiceClientExtensions
{
    /// <summary>How long one call to another service may take, including the sidecar's retries.</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Registers <typeparamref name="TClient"/> as a typed <see cref="HttpClient"/> for the internal routes of
    /// <paramref name="appId"/>. In Dapr mode the request goes through the sidecar's service invocation (the SDK's
    /// <see cref="InvocationHandler"/>, as <c>DaprClient.CreateInvokeHttpClient</c> builds it); in <c>--target all</c>
    /// into this host's own pipeline (<see cref="LocalChannel"/>). The client code is the same either way.
    /// </summary>
    public static IHttpClientBuilder AddServiceClient<TClient>(this IServiceCollection services, string appId)
        where TClient : class
    {
        return services.AddHttpClient<TClient>(client =>
            {
                client.BaseAddress = new Uri($"http://{appId}/");
                client.Timeout = CallTimeout;
            })
            .ConfigureAdditionalHttpMessageHandlers((handlers, sp) =>
            {
                var dapr = sp.GetRequiredService<IOptions<DaprSettings>>().Value;
                if (dapr.UseDapr)
                {
                    handlers.Add(new InvocationHandler { DaprEndpoint = dapr.SidecarUri.ToString(), DefaultAppId = appId });
                    if (dapr.ApiToken is { Length: > 0 } apiToken)
                    {
                        handlers.Add(new TokenHandler(apiToken));
                    }
                }
                else if (sp.GetRequiredService<AppChannel>().Token is { } channelToken)
                {
                    handlers.Add(new TokenHandler(channelToken));
                }
            })
            .ConfigurePrimaryHttpMessageHandler(sp => sp.GetRequiredService<AppChannel>().IsLocal
                ? sp.GetRequiredService<LocalChannel>().CreateHandler()
                : new SocketsHttpHandler());
    }

    /// <summary>Sets <c>dapr-api-token</c> (the sidecar's API token, or the local channel's token).</summary>
    private sealed class TokenHandler(string token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Remove(AppChannel.TokenHeader);
            request.Headers.TryAddWithoutValidation(AppChannel.TokenHeader, token);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
