using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Flame.Po.ServiceDefaults.Logging;

public static class LoggingSetup
{
    /// <summary>Framework categories and the level below which their chatter is dropped even when <c>LOG_LEVEL</c> is lower.</summary>
    private static readonly (string Category, LogLevel Floor)[] FrameworkFloors =
    [
        ("Microsoft", LogLevel.Warning),
        ("Microsoft.Hosting.Lifetime", LogLevel.Information),
        ("System.Net.Http.HttpClient", LogLevel.Warning),
        ("Npgsql", LogLevel.Warning),
        ("Polly", LogLevel.Warning),
    ];

    /// <summary>
    /// JSON lines on stdout (docs/compatibility.md#po-logs). <c>LOG_LEVEL</c> (debug, info, warning, error) is the
    /// minimum level of every category, the framework's included; framework chatter is further kept at warning
    /// (start-up lines at info), like the noisy httpx/uvicorn lines the old service printed. A category's own
    /// <c>Logging:LogLevel:CATEGORY</c> setting (e.g. <c>Logging__LogLevel__Npgsql=Debug</c>) overrides both.
    /// </summary>
    public static void AddFlameJsonLogging(this IHostApplicationBuilder builder)
    {
        var level = ParseLevel(builder.Configuration["LOG_LEVEL"]);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(level);
        foreach (var (category, floor) in FrameworkFloors)
        {
            if (builder.Configuration[$"Logging:LogLevel:{category}"] is null)
            {
                builder.Logging.AddFilter(category, level > floor ? level : floor);
            }
        }

        builder.Logging.AddConsole(console => console.FormatterName = FlameJsonConsoleFormatter.FormatterName);
        builder.Logging.AddConsoleFormatter<FlameJsonConsoleFormatter, FlameJsonFormatterOptions>(
            formatter => formatter.Redactor = SecretRedactor.FromConfiguration(builder.Configuration));
        builder.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.None);
    }

    public static LogLevel ParseLevel(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" or "INFO" or "INFORMATION" => LogLevel.Information,
        "TRACE" => LogLevel.Trace,
        "DEBUG" => LogLevel.Debug,
        "WARN" or "WARNING" => LogLevel.Warning,
        "ERROR" => LogLevel.Error,
        "CRITICAL" => LogLevel.Critical,
        _ => throw new ConfigurationException([$"LOG_LEVEL must be one of debug, info, warning, error, critical."]),
    };
}
