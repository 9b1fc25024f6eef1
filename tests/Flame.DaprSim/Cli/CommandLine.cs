using System.Globalization;

using Flame.DaprSim.Bindings;
using Flame.DaprSim.Sidecars;

namespace Flame.DaprSim.Cli;

/// <summary>
/// The simulator's command line:
/// <code>
/// Flame.DaprSim [--resources DIR]... (--run-file dapr.yaml | --app "id=api,app-port=8000,http-port=3500,grpc-port=50001,config=components/config-api.yaml[,replica=1][,api-token-env=VAR][,app-token-env=VAR][,api-token=T][,app-token=T][,health-path=/healthz]")...
///               [--namespace default] [--no-mtls] [--redelivery-delay 1s] [--redelivery-max-delay 15s]
/// </code>
/// Ports 0 pick free ports. Tokens default to the DAPR_API_TOKEN / APP_API_TOKEN environment variables.
/// </summary>
public static class CommandLine
{
    public static DaprSimOptions Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var resources = new List<string>();
        var sidecars = new List<SidecarOptions>();
        var options = new DaprSimOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--resources" or "--resources-path":
                    resources.Add(Path.GetFullPath(Value()));
                    break;
                case "--run-file":
                    var run = RunFile.Load(Value(), environment);
                    resources.AddRange(run.ResourcesPaths);
                    sidecars.AddRange(run.Sidecars);
                    break;
                case "--app":
                    sidecars.Add(ParseApp(Value(), sidecars, environment));
                    break;
                case "--namespace":
                    options = options with { Namespace = Value() };
                    break;
                case "--no-mtls":
                    options = options with { Mtls = false };
                    break;
                case "--redelivery-delay":
                    options = options with { RedeliveryDelay = GoDuration.Parse(Value()) };
                    break;
                case "--redelivery-max-delay":
                    options = options with { RedeliveryMaxDelay = GoDuration.Parse(Value()) };
                    break;
                default:
                    throw new ArgumentException($"unknown argument {args[i]}");
            }
        }

        if (sidecars.Count == 0)
        {
            throw new ArgumentException("no app: give --run-file or --app");
        }

        return options with { ResourcesPaths = resources.Distinct().ToList(), Sidecars = sidecars };
    }

    public static SidecarOptions ParseApp(string spec, IReadOnlyList<SidecarOptions> earlier, Func<string, string?> environment)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new ArgumentException($"--app {spec}: '{part}' is not key=value");
            }

            fields[part[..eq]] = part[(eq + 1)..];
        }

        int Port(string key) => fields.TryGetValue(key, out var text) ? int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture) : 0;
        string? Token(string literal, string envKey, string defaultEnv) =>
            fields.TryGetValue(literal, out var value) ? value
            : environment(fields.TryGetValue(envKey, out var name) ? name : defaultEnv) is { Length: > 0 } fromEnv ? fromEnv : null;

        var appId = fields.TryGetValue("id", out var id) ? id : throw new ArgumentException($"--app {spec}: id is required");
        return new SidecarOptions
        {
            AppId = appId,
            AppPort = fields.ContainsKey("app-port") ? Port("app-port") : throw new ArgumentException($"--app {spec}: app-port is required"),
            HttpPort = Port("http-port"),
            GrpcPort = Port("grpc-port"),
            Replica = fields.TryGetValue("replica", out var replica) ? int.Parse(replica, NumberStyles.None, CultureInfo.InvariantCulture) : earlier.Count(s => s.AppId == appId),
            ConfigPath = fields.TryGetValue("config", out var config) ? Path.GetFullPath(config) : null,
            ApiToken = Token("api-token", "api-token-env", "DAPR_API_TOKEN"),
            AppToken = Token("app-token", "app-token-env", "APP_API_TOKEN"),
            AppHealthCheckPath = fields.GetValueOrDefault("health-path"),
        };
    }
}
