using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Flame.Po.IntegrationTests.Support;

/// <summary>
/// A stand-in for daprd's HTTP API on loopback (no daprd can be installed here): it reports ready on
/// <c>/v1.0/healthz/outbound</c> and records every other call, answering 204.
/// </summary>
public sealed class FakeDaprSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeDaprSidecar(WebApplication app) => _app = app;

    public ConcurrentQueue<string> Calls { get; } = new();

    public int Port => new Uri(_app.Urls.First()).Port;

    public static async Task<FakeDaprSidecar> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var sidecar = new FakeDaprSidecar(app);
        app.MapGet("/v1.0/healthz/outbound", () => Results.NoContent());
        app.Map("/{**path}", (HttpContext context) =>
        {
            sidecar.Calls.Enqueue($"{context.Request.Method} {context.Request.Path}");
            return Results.NoContent();
        });
        await app.StartAsync();
        return sidecar;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
