using System.Net;

using Flame.DaprSim.Api;
using Flame.DaprSim.Errors;
using Flame.DaprSim.Invocation;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flame.DaprSim.Sidecars;

/// <summary>
/// The servers of one simulated sidecar, on 127.0.0.1: the Dapr HTTP API (HTTP/1.1) on its HTTP port and the gRPC API
/// (HTTP/2 cleartext, like daprd) on its gRPC port. Requests are told apart by the port they arrived on.
/// </summary>
public sealed class SidecarHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SidecarHost(WebApplication app, Sidecar sidecar)
    {
        _app = app;
        Sidecar = sidecar;
    }

    public Sidecar Sidecar { get; }

    public static async Task<SidecarHost> StartAsync(Sidecar sidecar, IReadOnlyList<ISidecarFeature> features, CancellationToken ct)
    {
        ListenOptions? httpListen = null, grpcListen = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Port 0 binds any free port; Kestrel updates the listen options with the bound port.
            k.Listen(IPAddress.Loopback, sidecar.Options.HttpPort, l =>
            {
                l.Protocols = HttpProtocols.Http1;
                httpListen = l;
            });
            k.Listen(IPAddress.Loopback, sidecar.Options.GrpcPort, l =>
            {
                l.Protocols = HttpProtocols.Http2;
                grpcListen = l;
            });
            k.Limits.MaxRequestBodySize = 4 * 1024 * 1024;
            k.AddServerHeader = false;
        });
        builder.Services.AddSingleton(sidecar);
        builder.Services.AddSingleton<ApiTokenInterceptor>();
        builder.Services.AddGrpc(o =>
        {
            o.Interceptors.Add<ApiTokenInterceptor>();
            o.EnableDetailedErrors = false;
        });
        builder.Services.AddRouting();
        foreach (var feature in features)
        {
            feature.ConfigureServices(builder.Services, sidecar);
        }

        var app = builder.Build();
        var invoker = new ServiceInvoker(sidecar);
        app.UseWhen(c => c.Connection.LocalPort != sidecar.GrpcPort, http =>
        {
            http.Use((context, next) => ApiTokenMiddleware.InvokeAsync(context, sidecar, () => next(context)));
            http.Use(async (context, next) =>
            {
                try
                {
                    await next(context);
                }
                catch (DaprApiException e) when (!context.Response.HasStarted)
                {
                    await e.WriteAsync(context);
                }
            });
        });
        app.UseRouting();
        var httpRoutes = app.MapGroup("").AddEndpointFilter(async (context, next) =>
            context.HttpContext.Connection.LocalPort == sidecar.GrpcPort ? Results.NotFound() : await next(context));
        HealthEndpoints.Map(httpRoutes, sidecar);
        StateEndpoints.Map(httpRoutes, sidecar);
        PublishEndpoints.Map(httpRoutes, sidecar);
        app.MapGrpcService<DaprGrpcService>();
        foreach (var feature in features)
        {
            feature.Map(app, sidecar);
        }

        // Any other path is a service invocation: /v1.0/invoke/{id}/method/… or any path with a dapr-app-id header.
        app.MapFallback("{**path}", context => context.Connection.LocalPort == sidecar.GrpcPort ? Task.CompletedTask : invoker.HandleAsync(context));
        await app.StartAsync(ct);
        sidecar.HttpPort = httpListen!.IPEndPoint!.Port;
        sidecar.GrpcPort = grpcListen!.IPEndPoint!.Port;
        sidecar.Logger.LogInformation("sidecar of {app_id} replica {replica}: http {http} grpc {grpc}", sidecar.AppId, sidecar.Replica, sidecar.HttpPort, sidecar.GrpcPort);
        return new SidecarHost(app, sidecar);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
