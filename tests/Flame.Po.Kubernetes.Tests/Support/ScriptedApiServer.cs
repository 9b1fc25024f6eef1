using System.Collections.Concurrent;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Kubernetes.Tests.Support;

/// <summary>A Kestrel server on a loopback address whose answers each test scripts; it records every request.</summary>
internal sealed class ScriptedApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedApiServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public sealed record Request(string Method, string PathAndQuery, string? Authorization, string? ContentType, string Body);

    public Uri Address { get; }

    public ConcurrentQueue<Request> Requests { get; } = new();

    public static async Task<ScriptedApiServer> StartAsync(Func<HttpContext, int, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var address = Loopback.NextAddress();
        builder.WebHost.ConfigureKestrel(k => k.Listen(address, 0));
        var app = builder.Build();
        ScriptedApiServer? server = null;
        var count = 0;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            server!.Requests.Enqueue(new Request(context.Request.Method, context.Request.Path + context.Request.QueryString, context.Request.Headers.Authorization, context.Request.ContentType, body));
            await handler(context, Interlocked.Increment(ref count) - 1);
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server = new ScriptedApiServer(app, new Uri(url));
        return server;
    }

    public static async Task Json(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }

    public static string Status(int code, string reason, string message, string details = "{}") =>
        $$"""{"kind":"Status","apiVersion":"v1","status":"Failure","message":{{System.Text.Json.JsonSerializer.Serialize(message)}},"reason":"{{reason}}","details":{{details}},"code":{{code}}}""";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Captures log messages (to see the retry delays the client chose).</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Messages.Enqueue(formatter(state, exception));
}
