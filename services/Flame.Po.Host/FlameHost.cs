using Flame.Po.Api;
using Flame.Po.Dapr;
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

        await app.RunAsync();
        return 0;
    }

    /// <summary>
    /// Composes the services of <paramref name="target"/>; validates every setting before returning, so a
    /// misconfigured host fails here with <see cref="ConfigurationException"/> and never half-starts.
    /// <paramref name="configure"/> runs before anything reads configuration (tests add their settings there).
    /// </summary>
    public static WebApplication Build(HostTarget target, string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddDotEnvFile(Path.Combine(Directory.GetCurrentDirectory(), ".env"));
        configure?.Invoke(builder);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            var port = builder.Configuration.GetValue("PO_PORT", target.DefaultPort());
            builder.WebHost.UseUrls($"http://0.0.0.0:{port}");
        }

        builder.AddServiceDefaults();
        builder.Services.Configure<BuildingBlockSettings>(s => s.AppId = builder.Configuration["APP_ID"] ?? AppIdOf(target));
        builder.Services.AddSettings<DaprSettings>(builder.Configuration);
        var dapr = builder.AddBuildingBlocks(HealthEndpoints.ReadyTag);
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

        var app = builder.Build();
        app.Services.ValidateSettings();

        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (target is HostTarget.All or HostTarget.Api)
        {
            app.UseApiService();
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

        app.Logger.LogInformation("Flame PO starting with target {target} and {building_blocks} building blocks", target.Name(), dapr ? "Dapr" : "embedded");
        return app;
    }

    private static string AppIdOf(HostTarget target) => target == HostTarget.All ? "flame-po" : target.Name();
}
