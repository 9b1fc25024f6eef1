using Flame.Po.Integrations;
using Flame.Po.Integrations.Hub;

using Microsoft.Extensions.Options;

namespace Flame.Po.IntegrationTests.Integrations;

public sealed class HubTransportTests
{
    [Fact]
    public async Task Hub_over_tls_needs_the_extra_ca_and_works_with_it()
    {
        await using (var untrusted = await StartOverTlsAsync(extraCa: null))
        {
            var act = () => untrusted.Hub.GetNodeIdAsync(IntegrationsHarness.Timeout());
            (await act.Should().ThrowAsync<IntegrationUnavailableException>()).Which.Dependency.Should().Be("hub");
        }

        var bundle = Path.Combine(Path.GetTempPath(), $"flame-extra-ca-{Guid.NewGuid():N}.pem");
        try
        {
            await using var trusted = await StartOverTlsAsync(bundle);
            // Each sandbox mints its own CA; the bundle is read at the first Hub request, so writing it now is in time.
            await File.WriteAllTextAsync(bundle, trusted.Sandbox.CertificateAuthorityPem);

            (await trusted.Hub.GetNodeIdAsync(IntegrationsHarness.Timeout())).Should().Be(trusted.Sandbox.Hub.OwnNodeId);
        }
        finally
        {
            File.Delete(bundle);
        }
    }

    [Fact]
    public async Task Plain_http_hub_traffic_goes_through_po_http_proxy()
    {
        // The sandbox plays the proxy: Kestrel serves absolute-form requests, and hub.invalid cannot resolve, so an
        // answer proves the request went to the proxy.
        await using var harness = await IntegrationsHarness.StartAsync(s =>
        {
            s["PO_HTTP_PROXY"] = s["HUB_URL_CORE"]![..s["HUB_URL_CORE"]!.LastIndexOf('/')];
            s["HUB_URL_CORE"] = "http://hub.invalid/hub";
            s["HUB_URL_AUTH"] = "http://hub.invalid/hub-auth";
        });

        (await harness.Hub.GetNodeIdAsync(IntegrationsHarness.Timeout())).Should().Be(harness.Sandbox.Hub.OwnNodeId);
    }

    [Fact]
    public void Each_proxy_is_optional_and_applies_to_its_scheme_only()
    {
        using var factory = new HubHandlerFactory(Options.Create(new HubSettings { HttpsProxy = "http://proxy.example:3128" }));
        using var handler = (SocketsHttpHandler)factory.Create();

        handler.Proxy!.GetProxy(new Uri("https://core.privateaim.net/nodes")).Should().Be(new Uri("http://proxy.example:3128"));
        handler.Proxy.IsBypassed(new Uri("http://keycloak.local/")).Should().BeTrue();
    }

    private static Task<IntegrationsHarness> StartOverTlsAsync(string? extraCa) =>
        IntegrationsHarness.StartAsync(s => s["EXTRA_CA_CERTS"] = extraCa, configure: (sandbox, s) =>
        {
            s["HUB_URL_CORE"] = sandbox.KubernetesUrl + "/hub";
            s["HUB_URL_AUTH"] = sandbox.KubernetesUrl + "/hub-auth";
        });
}
