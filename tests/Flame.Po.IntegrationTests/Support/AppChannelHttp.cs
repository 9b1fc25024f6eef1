using Flame.Po.Dapr.Invocation;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.IntegrationTests.Support;

/// <summary>An HTTP client on a host's local app channel (into its own pipeline, in memory), with or without its token.</summary>
public static class AppChannelHttp
{
    public static HttpClient Create(IServiceProvider host, bool withToken = true)
    {
        var http = new HttpClient(host.GetRequiredService<LocalChannel>().CreateHandler()) { BaseAddress = new Uri("http://localhost/") };
        if (withToken)
        {
            http.DefaultRequestHeaders.Add(AppChannel.TokenHeader, host.GetRequiredService<AppChannel>().Token);
        }

        return http;
    }
}
