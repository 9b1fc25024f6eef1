using Flame.Po.Api;
using Flame.Po.Dapr;
using Flame.Po.Dapr.Invocation;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Dapr.Sidecar;
using Flame.Po.Lifecycle;
using Flame.Po.Logging;
using Flame.Po.ServiceDefaults;
using Flame.Po.ServiceDefaults.Health;
using Flame.Po.ServiceDefaults.Settings;

namespace Flame.Po.Host;

/// <summary>Builds and runs the one executable for any target.</summary>
public static class FlameHost
{
    public const int ExitUsage = 2;
    public const int ExitConfiguration = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        var target = HostTargets.Resolve(args, Environment.GetEnvironmentVariable(HostTargets.EnvironmentVariable), out var error);
        if (error is not null)
        {
            await Console.Error.WriteLineAsync($"flame-po: {error}");
            return ExitUsage;
        }

        WebApplication app;
        try
        {
            app = Build(target, HostTargets.WithoutTarget(args));
        }
        catch (ConfigurationException e)
        {
            await Console.Error.WriteLineAsync($"flame-po: configuration error for target '{target.Name()}':");
            foreach (var problem in e.Problems)
            {
                await Console.Error.WriteLineAsync($"  - {problem}");
            }

            return ExitConfiguration;
        }

        await using (app)
        {
            await app.RunAsync();
        }

        return 0;
    }

    /// <summary>
    /// Composes the services of <paramref name="target"/>; validates every setting before returning, so a
    /// misconfigured host fails here with <see cref="ConfigurationException"/> and never half-starts.
    /// <paramref name="configure"/> runs before anything reads configuration (tests add their settings there);
    /// <paramref name="map"/> after the host mapped its routes (tests add subscriptions there).
    /// </summary>
    public static WebApplication Build(HostTarget target, string[] args, Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddDotEnvFile(Path.Combine(Directory.GetCurrentDirectory(), ".env"));
        configure?.Invoke(builder);
        var urls = builder.Configuration["urls"] is { Length: > 0 } configured
            ? configured.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [$"http://0.0.0.0:{builder.Configuration.GetValue("PO_PORT", target.DefaultPort())}"];

        builder.AddServiceDefaults(builder.Configuration["APP_ID"] ?? AppIdOf(target), UsesDatabase(target, builder.Configuration));
        builder.Services.Configure<BuildingBlockSettings>(s => s.AppId = builder.Configuration["APP_ID"] ?? AppIdOf(target));
        builder.Services.AddSettings<DaprSettings>(builder.Configuration);
        builder.Services.AddSettings<EventBusSettings>(builder.Configuration);
        var channel = builder.AddBuildingBlocks(HealthEndpoints.ReadyTag);
        if (channel.Token is null && !urls.All(AppChannelUrls.IsLoopback))
        {
            throw new ConfigurationException(["APP_API_TOKEN is required when a Dapr app listens beyond loopback: without it, anybody who reaches the app's port could call its internal routes. Set the same value as the sidecar's APP_API_TOKEN (dapr.io/app-token-secret)."]);
        }

        builder.WebHost.UseUrls(urls);
        if (target is HostTarget.All or HostTarget.Api)
        {
            builder.AddApiService();
        }

        if (target is HostTarget.All or HostTarget.Lifecycle)
        {
            builder.AddLifecycleService();
        }

        if (target is HostTarget.All or HostTarget.Logging)
        {
            builder.AddLoggingService();
        }

        DataProtectionKeyRing.DoNotCreateAtStart(builder.Services);
        var app = builder.Build();
        app.Services.ValidateSettings();

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (target is HostTarget.All or HostTarget.Api)
        {
            app.UseApiService();
        }
        else
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }

        app.MapServiceDefaults();
        app.MapBuildingBlockEndpoints();
        if (target is HostTarget.All or HostTarget.Api)
        {
            app.MapApiService();
        }

        if (target is HostTarget.All or HostTarget.Lifecycle)
        {
            app.MapLifecycleService();
        }

        if (target is HostTarget.All or HostTarget.Logging)
        {
            app.MapLoggingService();
        }

        map?.Invoke(app);
        app.Logger.LogInformation("Flame PO starting with target {target} and {building_blocks} building blocks", target.Name(), channel.IsLocal ? "embedded" : "Dapr");
        return app;
    }

    /// <summary>
    /// Every target but the api owns data in PostgreSQL; the api owns none, so as a Dapr app it needs no
    /// database at all. Without Dapr the embedded building blocks (state store, outbox, fan-out) are PostgreSQL
    /// tables, so any target running them needs it.
    /// </summary>
    public static bool UsesDatabase(HostTarget target, IConfiguration configuration) =>
        target != HostTarget.Api || !DaprBuildingBlocks.UsesDapr(configuration);

    private static string AppIdOf(HostTarget target) => target == HostTarget.All ? "flame-po" : target.Name();
}
