using Flame.Po.IntegrationTests.Support;

namespace Flame.Po.IntegrationTests.Api;

/// <summary>
/// Swagger UI and ReDoc really render in a browser (headless Chromium), from assets the PO serves itself — no
/// CDN is reachable on a node — and show the <c>/po</c> routes. The screenshots stay in the test work directory.
/// </summary>
[Collection(ApiTestGroup.Name)]
public sealed class ApiDocsRenderingTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    private static readonly string[] Routes = ["/po/status", "/po/history", "/po/logs", "/po/pods", "/po/events", "/po/stop"];

    [Theory]
    [InlineData("/api/docs/index.html", "swagger-ui")]
    [InlineData("/api/redoc/index.html", "redoc")]
    public async Task The_viewer_renders_the_po_routes_in_headless_chromium(string path, string name)
    {
        var browser = HeadlessChromium.Find();
        browser.Should().NotBeNull("test.sh installs Debian's chromium; install it with apt-get install -y chromium");
        var page = new Uri(f.Http.BaseAddress!, path);
        var directory = Path.Combine(Environment.GetEnvironmentVariable("FLAME_TEST_WORK") ?? Path.GetTempPath(), "docs-screenshots");
        Directory.CreateDirectory(directory);
        var png = Path.Combine(directory, $"{name}.png");
        File.Delete(png);

        var dom = await HeadlessChromium.DumpDomAsync(browser!, page, TimeSpan.FromSeconds(20));
        await HeadlessChromium.ScreenshotAsync(browser!, page, TimeSpan.FromSeconds(20), png);

        dom.Should().Contain("FLAME Pod Orchestrator", "the document's title is rendered");
        foreach (var route in Routes)
        {
            dom.Should().Contain(route, $"{name} shows every /po route after its scripts ran");
        }

        var bytes = await File.ReadAllBytesAsync(png);
        bytes.Should().StartWith(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, "a PNG file");
        bytes.Length.Should().BeGreaterThan(20_000, $"{png} shows a rendered page, not a blank one");
    }
}
