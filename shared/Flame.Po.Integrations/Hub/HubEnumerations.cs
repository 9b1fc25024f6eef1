namespace Flame.Po.Integrations.Hub;

/// <summary>The values the Hub accepts (docs/compatibility.md#rule-hub); anything else is a programming error caught before sending.</summary>
public static class HubEnumerations
{
    public static readonly IReadOnlySet<string> ExecutionStatuses = new HashSet<string>(StringComparer.Ordinal)
    {
        "starting", "started", "stopping", "stopped", "executing", "executed", "failed",
    };

    public static readonly IReadOnlySet<string> LogLevels = new HashSet<string>(StringComparer.Ordinal)
    {
        "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug",
    };

    /// <summary>The Hub has no <c>stuck</c>; the PO reports it as <c>failed</c>.</summary>
    public static string ToHubStatus(string status, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(status, parameterName);
        var mapped = status == "stuck" ? "failed" : status;
        return ExecutionStatuses.Contains(mapped)
            ? mapped
            : throw new ArgumentException($"'{status}' is not a Hub execution status ({string.Join(", ", ExecutionStatuses)}, or stuck).", parameterName);
    }

    public static string ToHubLevel(string level, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(level, parameterName);
        return LogLevels.Contains(level)
            ? level
            : throw new ArgumentException($"'{level}' is not a Hub log level ({string.Join(", ", LogLevels)}).", parameterName);
    }
}
