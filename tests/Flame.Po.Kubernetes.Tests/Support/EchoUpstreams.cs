using System.Net;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Kubernetes.Tests.Support;

/// <summary>
/// One small HTTP server listening on several loopback addresses; each address plays one upstream service and
/// answers <c>&lt;name&gt; &lt;path and query&gt;</c> so a test sees which upstream was reached with which path.
/// </summary>
internal sealed class EchoUpstreams : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoUpstreams(WebApplication app, IReadOnlyDictionary<string, IPEndPoint> endpoints)
    {
        _app = app;
        Endpoints = endpoints;
    }

    public IReadOnlyDictionary<string, IPEndPoint> Endpoints { get; }

    public static async Task<EchoUpstreams> StartAsync(IEnumerable<string> names)
    {
        var byAddress = names.ToDictionary(_ => Loopback.NextAddress(), n => n);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            foreach (var address in byAddress.Keys)
            {
                k.Listen(address, 0);
            }
        });
        var app = builder.Build();
        app.Run(async context =>
        {
            var name = byAddress[context.Connection.LocalIpAddress!.MapToIPv4()];
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync($"{name} {context.Request.Path}{context.Request.QueryString}");
        });
        await app.StartAsync();
        var endpoints = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a))
            .Select(u => new IPEndPoint(IPAddress.Parse(u.Host), u.Port))
            .ToDictionary(e => byAddress[e.Address], e => e);
        return new EchoUpstreams(app, endpoints);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
