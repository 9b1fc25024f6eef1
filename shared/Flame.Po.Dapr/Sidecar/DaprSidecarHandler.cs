using Microsoft.Extensions.Options;

namespace Flame.Po.Dapr.Sidecar;

/// <summary>Adds <c>dapr-api-token</c> to every request to the sidecar when <c>DAPR_API_TOKEN</c> is set.</summary>
public sealed class DaprSidecarHandler(IOptions<DaprSettings> settings) : DelegatingHandler
{
    public const string ApiTokenHeader = "dapr-api-token";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (settings.Value.ApiToken is { Length: > 0 } token)
        {
            request.Headers.Remove(ApiTokenHeader);
            request.Headers.Add(ApiTokenHeader, token);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
