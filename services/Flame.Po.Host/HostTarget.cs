namespace Flame.Po.Host;

/// <summary>
/// Which services this process runs (Grafana Loki's <c>-target</c> pattern): <c>all</c> composes the three
/// services in one process with embedded building blocks; each other target is one Dapr app.
/// </summary>
public enum HostTarget
{
    All,
    Api,
    Lifecycle,
    Logging,
}

public static class HostTargets
{
    public const string EnvironmentVariable = "PO_TARGET";

    public static readonly IReadOnlyDictionary<string, HostTarget> ByName = new Dictionary<string, HostTarget>(StringComparer.Ordinal)
    {
        ["all"] = HostTarget.All,
        ["api"] = HostTarget.Api,
        ["lifecycle"] = HostTarget.Lifecycle,
        ["logging"] = HostTarget.Logging,
    };

    public static string Names => string.Join(", ", ByName.Keys);

    /// <summary>
    /// Reads <c>--target NAME</c>, <c>--target=NAME</c> or <c>-target NAME</c> from the arguments, else
    /// <c>PO_TARGET</c>, else <c>all</c>. Returns an error message for an unknown or missing name.
    /// </summary>
    public static HostTarget Resolve(IReadOnlyList<string> args, string? environmentValue, out string? error)
    {
        error = null;
        string? name = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "--target" or "-target")
            {
                if (i + 1 >= args.Count)
                {
                    error = $"{arg} needs a value: one of {Names}.";
                    return HostTarget.All;
                }

                name = args[++i];
            }
            else if (arg.StartsWith("--target=", StringComparison.Ordinal) || arg.StartsWith("-target=", StringComparison.Ordinal))
            {
                name = arg[(arg.IndexOf('=', StringComparison.Ordinal) + 1)..];
            }
        }

        name ??= string.IsNullOrWhiteSpace(environmentValue) ? "all" : environmentValue.Trim();
        if (ByName.TryGetValue(name, out var target))
        {
            return target;
        }

        error = $"Unknown target '{name}'. Valid targets: {Names}.";
        return HostTarget.All;
    }

    public static string Name(this HostTarget target) => ByName.First(p => p.Value == target).Key;

    /// <summary>Default listening port: the PO's 8000 for the whole and the api, neighbours for the others.</summary>
    public static int DefaultPort(this HostTarget target) => target switch
    {
        HostTarget.Lifecycle => 8001,
        HostTarget.Logging => 8002,
        _ => 8000,
    };

    /// <summary>Strips the target switch so the remaining arguments go to ASP.NET Core's command-line configuration.</summary>
    public static string[] WithoutTarget(IReadOnlyList<string> args)
    {
        var rest = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] is "--target" or "-target")
            {
                i++;
            }
            else if (!args[i].StartsWith("--target=", StringComparison.Ordinal) && !args[i].StartsWith("-target=", StringComparison.Ordinal))
            {
                rest.Add(args[i]);
            }
        }

        return [.. rest];
    }
}
