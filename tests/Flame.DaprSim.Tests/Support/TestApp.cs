using System.Collections.Concurrent;
using System.Net;

using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Flame.DaprSim.Tests.Support;

/// <summary>A request an app under test received.</summary>
public sealed record ReceivedRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}

/// <summary>
/// A small ASP.NET Core app on a loopback port playing the app behind a sidecar: it records every request and answers
/// through the routes the test maps. It can be stopped and started again on the same port.
/// </summary>
public sealed class TestApp : IAsyncDisposable
{
    private readonly Action<WebApplication, TestApp> _map;
    private WebApplication? _app;

    private TestApp(Action<WebApplication, TestApp> map)
    {
        _map = map;
    }

    public int Port { get; private set; }

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    public IReadOnlyList<ReceivedRequest> Received(string path) => Requests.Where(r => r.Path == path).ToList();

    public static async Task<TestApp> StartAsync(Action<WebApplication, TestApp> map, int port = 0)
    {
        var app = new TestApp(map) { Port = port };
        await app.StartAgainAsync();
        return app;
    }

    /// <summary>Creates the app without starting it, on a free port (a sidecar waits for it).</summary>
    public static TestApp NotStarted(Action<WebApplication, TestApp> map) => new(map) { Port = Sidecars.FreePort.Next() };

    public async Task StartAgainAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port));
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync();
            context.Request.Body.Position = 0;
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            Requests.Enqueue(new ReceivedRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", headers, body));
            await next(context);
        });
        _map(app, this);
        await app.StartAsync();
        Port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    /// <summary>An app that only answers <c>GET /dapr/subscribe</c> with the given JSON.</summary>
    public static Action<WebApplication, TestApp> Subscribing(string subscriptions, Action<WebApplication, TestApp>? more = null) => (app, self) =>
    {
        app.MapGet("/dapr/subscribe", () => Results.Text(subscriptions, "application/json"));
        more?.Invoke(app, self);
    };
}
