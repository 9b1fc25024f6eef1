using System.Collections.Concurrent;

using Flame.Po.Lifecycle.Cluster;

using k8s;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Flame.Po.Kubernetes.Tests.Support;

/// <summary>A Kestrel server on a loopback address whose answers each test scripts; it records every request.</summary>
internal sealed class ScriptedApiServer : IAsyncDisposable
{
    public const string Token = "test-token";
    public const string Namespace = "flame";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _files = new();

    private ScriptedApiServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public sealed record Request(string Method, string PathAndQuery, string? Authorization, string? ContentType, string Body, string Host = "");

    public Uri Address { get; }

    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>The production bounds with retry delays of a millisecond, so retrying tests do not wait.</summary>
    public static KubernetesResilienceOptions FastRetries { get; } = new() { RetryBaseDelay = TimeSpan.FromMilliseconds(1) };

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
            server!.Requests.Enqueue(new Request(context.Request.Method, context.Request.Path + context.Request.QueryString, context.Request.Headers.Authorization, context.Request.ContentType, body, context.Request.Host.Value ?? ""));
            await handler(context, Interlocked.Increment(ref count) - 1);
        });
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server = new ScriptedApiServer(app, new Uri(url));
        return server;
    }

    /// <summary>The official client with our resilience handler in its pipeline, as <see cref="ClusterConnection"/> builds it.</summary>
    public k8s.Kubernetes Client(KubernetesResilienceOptions? options = null, ILogger? logger = null) =>
        new(new KubernetesClientConfiguration { Host = Address.AbsoluteUri, AccessToken = Token, Namespace = Namespace },
            new KubernetesResilienceHandler(options ?? FastRetries, logger ?? NullLogger.Instance));

    /// <summary>
    /// A <see cref="ClusterConnection"/> to this server through a kubeconfig (bearer <see cref="Token"/>, namespace
    /// <see cref="Namespace"/>), for code that takes the connection rather than a client (the service proxy).
    /// </summary>
    /// <param name="tlsServerName">The cluster's <c>tls-server-name</c>, when the test needs one.</param>
    public ClusterConnection Connection(string? tlsServerName = null)
    {
        var tls = tlsServerName is null ? "" : $", tls-server-name: {tlsServerName}";
        var path = Path.Combine(Path.GetTempPath(), $"flame-scripted-{Guid.NewGuid():N}.kubeconfig");
        File.WriteAllText(path, $$"""
            apiVersion: v1
            kind: Config
            current-context: scripted
            clusters:
            - name: scripted
              cluster: {server: "{{Address.AbsoluteUri}}"{{tls}}}
            contexts:
            - name: scripted
              context: {cluster: scripted, user: scripted, namespace: {{Namespace}}}
            users:
            - name: scripted
              user: {token: {{Token}}}
            """);
        _files.Enqueue(path);
        return new ClusterConnection(Options.Create(new ClusterSettings { KubeConfig = path }), TimeProvider.System, NullLoggerFactory.Instance);
    }

    public static async Task Json(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }

    public static string Status(int code, string reason, string message, string details = "{}") =>
        $$"""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":{{System.Text.Json.JsonSerializer.Serialize(message)}},"reason":"{{reason}}","details":{{details}},"code":{{code}}}""";

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        while (_files.TryDequeue(out var path))
        {
            File.Delete(path);
        }
    }
}

/// <summary>Captures log messages (to see the retry delays the handler chose).</summary>
internal sealed class ListLogger : ILogger
{
    public ConcurrentQueue<string> Messages { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Messages.Enqueue(formatter(state, exception));
}
