using System.Net;
using System.Text.Json;
using Flame.Po.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;

namespace Flame.Po.IntegrationTests.Support;

/// <summary>The real host, built exactly as the executable builds it, on a free loopback port.</summary>
public sealed class RunningHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public HttpClient Http { get; }

    /// <summary>The host's services, for tests that drive a service's commands in process.</summary>
    public IServiceProvider Services => _app.Services;

    public static async Task<RunningHost> StartAsync(
        HostTarget target, IDictionary<string, string?> settings, Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null)
    {
        var values = new Dictionary<string, string?>(settings)
        {
            ["LOG_LEVEL"] = settings.TryGetValue("LOG_LEVEL", out var level) ? level : "warning",
            ["STATUS_LOOP_INTERVAL"] = settings.TryGetValue("STATUS_LOOP_INTERVAL", out var interval) ? interval : "1",
        };
        var app = FlameHost.Build(target, ["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(values);
            configure?.Invoke(builder);
        }, map);
        await app.StartAsync();
        return new RunningHost(app, new Uri(app.Urls.First()));
    }

    /// <summary>Polls <c>/readyz</c> until it answers <paramref name="expected"/>; returns the last body.</summary>
    public async Task<JsonElement> WaitForReadinessAsync(HttpStatusCode expected, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var last = "(no answer)";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await Http.GetAsync("/readyz");
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.StatusCode == expected)
            {
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"/readyz never answered {(int)expected}; last answer: {last}");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
