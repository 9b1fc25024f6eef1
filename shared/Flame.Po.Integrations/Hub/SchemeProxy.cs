using System.Net;

namespace Flame.Po.Integrations.Hub;

/// <summary>
/// PO_HTTP_PROXY for http and PO_HTTPS_PROXY for https, each on its own: a node may need only one of them (the old
/// service required both, docs/compatibility.md#b12). A scheme without a proxy goes direct.
/// </summary>
internal sealed class SchemeProxy(Uri? httpProxy, Uri? httpsProxy) : IWebProxy
{
    public ICredentials? Credentials { get; set; }

    public Uri? GetProxy(Uri destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return destination.Scheme == Uri.UriSchemeHttps ? httpsProxy : destination.Scheme == Uri.UriSchemeHttp ? httpProxy : null;
    }

    public bool IsBypassed(Uri host) => GetProxy(host) is null;
}
