using System.Globalization;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Scenarios;

/// <summary>
/// What a simulated container does, chosen by its image reference. The repository's last two path segments
/// are <c>sim/&lt;scenario&gt;</c> (<c>ok</c>, <c>stuck</c>, <c>slow-start</c>, <c>hang</c>, <c>crashloop</c>, <c>oom</c>,
/// <c>pull-error</c>, <c>unschedulable</c>, <c>fails</c>); any registry host and project may come before them.
/// Any other image is a long-running service (e.g. nginx). Parameters (<c>runtime</c>, <c>progress</c>,
/// <c>delay</c>) come from either
/// <list type="bullet">
/// <item>the tag, <c>key-value</c> pairs joined by <c>_</c>: <c>harbor.example.org/sim/ok:runtime-20s_progress-5</c>
/// (a valid image reference, so it passes the PO's image validation), or</item>
/// <item>a query, <c>sim/ok?runtime=20s&amp;progress=5</c> (short for tests; not a valid image reference).</item>
/// </list>
/// Unknown keys are ignored (kept in <see cref="Parameters"/>), so ordinary tags such as <c>latest</c> still
/// select the scenario. A known key with a value that does not parse turns the image into one the simulated
/// registry does not know (<c>unknown</c>: ErrImagePull), as a typo in a real image reference would; parsing
/// never throws, because it runs inside the simulated kubelet.
/// </summary>
public sealed record Scenario(string Name, TimeSpan Runtime, int ProgressSteps, TimeSpan StartDelay, IReadOnlyDictionary<string, string> Parameters)
{
    public static readonly string[] Known = ["ok", "stuck", "slow-start", "hang", "crashloop", "oom", "pull-error", "unschedulable", "fails"];

    private static readonly Scenario Service = new("service", TimeSpan.Zero, 0, TimeSpan.Zero, new Dictionary<string, string>());

    public bool IsAnalysis => Name != "service";

    public static Scenario Parse(string image)
    {
        var reference = ScenarioReference.Split(image);
        if (reference is null)
        {
            return Service;
        }

        var (name, parameters) = reference.Value;
        try
        {
            return new Scenario(
                Known.Contains(name) ? name : "unknown",
                Duration(parameters, "runtime", name switch { "fails" => TimeSpan.FromSeconds(5), "oom" => TimeSpan.FromSeconds(3), "crashloop" => TimeSpan.FromSeconds(1), _ => TimeSpan.FromSeconds(20) }),
                parameters.TryGetValue("progress", out var p) ? int.Parse(p, NumberStyles.None, CultureInfo.InvariantCulture) : 5,
                Duration(parameters, "delay", name == "slow-start" ? TimeSpan.FromSeconds(90) : TimeSpan.Zero),
                parameters);
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            return new Scenario("unknown", TimeSpan.Zero, 0, TimeSpan.Zero, parameters);
        }
    }

    private static TimeSpan Duration(Dictionary<string, string> parameters, string key, TimeSpan fallback) =>
        parameters.TryGetValue(key, out var v) ? DurationParser.Parse(v) : fallback;
}
