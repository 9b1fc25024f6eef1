using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Flame.Po.ServiceDefaults.Logging;

public static class LoggingSetup
{
    /// <summary>
    /// JSON lines on stdout (docs/compatibility.md#po-logs). <c>LOG_LEVEL</c> (debug, info, warning, error) sets the
    /// PO's level; framework chatter is kept at warning, like the noisy httpx/uvicorn lines the old service printed.
    /// </summary>
    public static void AddFlameJsonLogging(this IHostApplicationBuilder builder)
    {
        var level = ParseLevel(builder.Configuration["LOG_LEVEL"]);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(level);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        builder.Logging.AddFilter("System.Net.Http.HttpClient", LogLevel.Warning);
        builder.Logging.AddFilter("Npgsql", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
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
