using System.Globalization;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>
/// A raw request to a Service through the API server's proxy subresource (the PO outside the cluster): the
/// official client's generated proxy calls cannot send a body, so the request goes through its
/// <c>HttpClient</c> (handlers, TLS) after its credentials sign it, with the kubeconfig's <c>tls-server-name</c> as its
/// <c>Host</c> like the client's own requests. The answer is returned as is (the analysis'
/// own status codes matter), is never retried and does not count against the API server in the circuit breaker;
/// the caller disposes it.
/// </summary>
public static class ServiceProxy
{
    public static async Task<HttpResponseMessage> ProxyAsync(
        this ClusterConnection cluster, string service, int port, string path, HttpMethod method, HttpContent? body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(path);
        if (!path.StartsWith('/') || path.Contains("..", StringComparison.Ordinal) || path.Any(char.IsControl))
        {
            throw new ArgumentException("The proxied path must be absolute and must not contain '..' or control characters.", nameof(path));
        }

        var client = cluster.Client;
        var baseUri = client.BaseUri.AbsoluteUri.EndsWith('/') ? client.BaseUri : new Uri(client.BaseUri.AbsoluteUri + "/");
        var target = new Uri(baseUri, string.Create(
            CultureInfo.InvariantCulture,
            $"api/v1/namespaces/{Uri.EscapeDataString(cluster.Namespace)}/services/{Uri.EscapeDataString(service)}:{port}/proxy{path}"));
        using var request = new HttpRequestMessage(method, target) { Content = body };
        request.Options.Set(KubernetesResilienceHandler.NoRetry, true);
        request.Options.Set(KubernetesResilienceHandler.ProxiedAnswer, true);
        if (cluster.TlsServerName is { } serverName)
        {
            // As the client does for its own requests: TLS checks the API server's certificate against this name.
            request.Headers.Host = serverName;
        }

        if (client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }

        return await client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }
}
