using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

using Microsoft.Extensions.Options;

namespace Flame.Po.Integrations.Hub;

/// <summary>
/// The primary handler of Hub traffic: 5 s connect timeout, the PO proxies, and the CAs of EXTRA_CA_CERTS trusted
/// next to the OS store. The CA file is read once and shared by every handler the factory rotates in.
/// </summary>
public sealed class HubHandlerFactory(IOptions<HubSettings> settings) : IDisposable
{
    private readonly Lazy<X509Certificate2Collection> _extraAuthorities = new(() => Load(settings.Value.ExtraCaCertificates));

    public HttpMessageHandler Create()
    {
        var hub = settings.Value;
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        if (!string.IsNullOrWhiteSpace(hub.HttpProxy) || !string.IsNullOrWhiteSpace(hub.HttpsProxy))
        {
            handler.UseProxy = true;
            handler.Proxy = new SchemeProxy(ToUri(hub.HttpProxy), ToUri(hub.HttpsProxy));
        }

        if (!string.IsNullOrWhiteSpace(hub.ExtraCaCertificates))
        {
            var authorities = _extraAuthorities.Value;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                Validate(certificate as X509Certificate2, chain, errors, authorities);
        }

        return handler;
    }

    public void Dispose()
    {
        if (_extraAuthorities.IsValueCreated)
        {
            foreach (var certificate in _extraAuthorities.Value)
            {
                certificate.Dispose();
            }
        }
    }

    /// <summary>Accepted when the OS store trusts the chain or, failing that, one of the extra CAs anchors it.</summary>
    internal static bool Validate(X509Certificate2? certificate, X509Chain? presented, SslPolicyErrors errors, X509Certificate2Collection authorities)
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || errors != SslPolicyErrors.RemoteCertificateChainErrors || authorities.Count == 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
        if (presented is not null)
        {
            // Intermediates the server sent, so a chain to an extra root can be completed.
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }

    private static Uri? ToUri(string? value) => string.IsNullOrWhiteSpace(value) ? null : new Uri(value, UriKind.Absolute);

    private static X509Certificate2Collection Load(string? path)
    {
        var collection = new X509Certificate2Collection();
        if (string.IsNullOrWhiteSpace(path))
        {
            return collection;
        }

        try
        {
            collection.ImportFromPemFile(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException($"EXTRA_CA_CERTS ({path}) could not be read as a PEM bundle: {e.Message}", e);
        }

        return collection.Count > 0 ? collection : throw new InvalidOperationException($"EXTRA_CA_CERTS ({path}) holds no certificate.");
    }
}
