using System.Globalization;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Scenarios;

/// <summary>
/// What a simulated container does, chosen by its image reference: <c>sim/ok?runtime=20s&amp;progress=5</c>,
/// <c>sim/stuck</c>, <c>sim/slow-start?delay=90s</c>, <c>sim/crashloop</c>, <c>sim/oom</c>, <c>sim/pull-error</c>,
/// <c>sim/unschedulable</c>, <c>sim/fails</c>. Any other image is a long-running service (e.g. nginx).
/// </summary>
public sealed record Scenario(string Name, TimeSpan Runtime, int ProgressSteps, TimeSpan StartDelay, IReadOnlyDictionary<string, string> Parameters)
{
    public static readonly string[] Known = ["ok", "stuck", "slow-start", "crashloop", "oom", "pull-error", "unschedulable", "fails"];

    public bool IsAnalysis => Name != "service";

    public static Scenario Parse(string image)
    {
        var reference = image.StartsWith("docker.io/", StringComparison.Ordinal) ? image["docker.io/".Length..] : image;
        if (!reference.StartsWith("sim/", StringComparison.Ordinal))
        {
            return new Scenario("service", TimeSpan.Zero, 0, TimeSpan.Zero, new Dictionary<string, string>());
        }

        var query = reference.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? reference[4..] : reference[4..query];
        var name = path.Split(':', '@')[0];
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (query >= 0)
        {
            foreach (var pair in reference[(query + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                parameters[eq < 0 ? pair : pair[..eq]] = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            }
        }

        TimeSpan Duration(string key, TimeSpan fallback) => parameters.TryGetValue(key, out var v) ? DurationParser.Parse(v) : fallback;

        return new Scenario(
            Known.Contains(name) ? name : "unknown",
            Duration("runtime", name switch { "fails" => TimeSpan.FromSeconds(5), "oom" => TimeSpan.FromSeconds(3), "crashloop" => TimeSpan.FromSeconds(1), _ => TimeSpan.FromSeconds(20) }),
            parameters.TryGetValue("progress", out var p) ? int.Parse(p, CultureInfo.InvariantCulture) : 5,
            Duration("delay", name == "slow-start" ? TimeSpan.FromSeconds(90) : TimeSpan.Zero),
            parameters);
    }
}
