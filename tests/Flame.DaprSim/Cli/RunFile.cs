using System.Globalization;

using Flame.DaprSim.Resources;
using Flame.DaprSim.Sidecars;

namespace Flame.DaprSim.Cli;

/// <summary>
/// The multi-app run file of <c>dapr run -f</c> (Dapr docs: multi-app-template): <c>common.resourcesPath(s)</c> relative
/// to the file; per app <c>appID</c>, <c>appDirPath</c> (relative to the file), <c>appPort</c>, <c>daprHTTPPort</c>,
/// <c>daprGRPCPort</c>, <c>configFilePath</c> and <c>resourcesPath(s)</c> (relative to appDirPath), <c>appHealthCheckPath</c>,
/// and <c>env</c> (common, then per app), where <c>DAPR_API_TOKEN</c>/<c>APP_API_TOKEN</c> set the tokens.
/// </summary>
public static class RunFile
{
    public sealed record Result(IReadOnlyList<string> ResourcesPaths, IReadOnlyList<SidecarOptions> Sidecars);

    public static Result Load(string path, Func<string, string?> environment)
    {
        var file = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(file)!;
        var docs = YamlDocuments.ReadFile(file);
        var doc = (docs.Count > 0 ? docs[0] : null) ?? throw new InvalidDataException($"{path} is empty");
        var common = doc["common"] as System.Text.Json.Nodes.JsonObject ?? [];
        var resources = Paths(common, dir);
        var commonEnv = Env(common);
        var sidecars = new List<SidecarOptions>();
        foreach (var app in (doc["apps"] as System.Text.Json.Nodes.JsonArray ?? []).OfType<System.Text.Json.Nodes.JsonObject>())
        {
            var appDir = Path.GetFullPath(Path.Combine(dir, YamlDocuments.Text(app["appDirPath"]) ?? "."));
            var appId = YamlDocuments.Text(app["appID"]) ?? new DirectoryInfo(appDir).Name;
            var env = new Dictionary<string, string>(commonEnv, StringComparer.Ordinal);
            foreach (var (key, value) in Env(app))
            {
                env[key] = value;
            }

            string? Token(string name) => env.TryGetValue(name, out var value) ? value : environment(name);
            sidecars.Add(new SidecarOptions
            {
                AppId = appId,
                AppPort = Int(app, "appPort") ?? throw new InvalidDataException($"app {appId}: appPort is required"),
                HttpPort = Int(app, "daprHTTPPort") ?? 0,
                GrpcPort = Int(app, "daprGRPCPort") ?? 0,
                Replica = sidecars.Count(s => s.AppId == appId),
                ConfigPath = YamlDocuments.Text(app["configFilePath"]) is { } config ? Path.GetFullPath(Path.Combine(appDir, config)) : null,
                ApiToken = Empty(Token("DAPR_API_TOKEN")),
                AppToken = Empty(Token("APP_API_TOKEN")),
                AppHealthCheckPath = YamlDocuments.Text(app["enableAppHealthCheck"]) == "true" ? YamlDocuments.Text(app["appHealthCheckPath"]) ?? "/healthz" : null,
                ResourcesPaths = Paths(app, appDir),
            });
        }

        return new Result(resources, sidecars);
    }

    private static List<string> Paths(System.Text.Json.Nodes.JsonObject node, string relativeTo)
    {
        var paths = new List<string>();
        if (YamlDocuments.Text(node["resourcesPath"]) is { } single)
        {
            paths.Add(single);
        }

        paths.AddRange(node["resourcesPaths"] is System.Text.Json.Nodes.JsonArray ? YamlDocuments.Strings(node["resourcesPaths"])
            : (YamlDocuments.Text(node["resourcesPaths"]) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return paths.Select(p => Path.GetFullPath(Path.Combine(relativeTo, p))).ToList();
    }

    private static Dictionary<string, string> Env(System.Text.Json.Nodes.JsonObject node)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in node["env"] as System.Text.Json.Nodes.JsonObject ?? [])
        {
            env[key] = YamlDocuments.Text(value) ?? "";
        }

        return env;
    }

    private static int? Int(System.Text.Json.Nodes.JsonObject node, string name) =>
        int.TryParse(YamlDocuments.Text(node[name]), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
