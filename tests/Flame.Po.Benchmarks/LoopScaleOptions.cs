using System.Globalization;

namespace Flame.Po.Benchmarks;

/// <summary>How the silent analyses of <c>loop-scale</c> fail to answer healthz.</summary>
public enum SilentKind
{
    /// <summary><c>sim/slow-start</c>: the port refuses connections, nginx answers 502 at once.</summary>
    Refuse,

    /// <summary><c>sim/hang</c>: connections are accepted but never answered; each probe runs into HEALTHZ_TIMEOUT.</summary>
    Hang,
}

/// <summary>The command line of <c>loop-scale</c>: sizes, then <c>--silent-percent P</c> and <c>--silent refuse|hang</c>.</summary>
public sealed record LoopScaleOptions(IReadOnlyList<int> Sizes, int SilentPercent, SilentKind Silent)
{
    public string SilentImage => Silent == SilentKind.Hang
        ? "harbor.sandbox.local/sim/hang:latest"
        : "harbor.sandbox.local/sim/slow-start:delay-1000000s";

    public string ResultFileName => Silent == SilentKind.Refuse && SilentPercent == 10
        ? "loop-scale.json"
        : string.Create(CultureInfo.InvariantCulture, $"loop-scale-{SilentPercent}pct-{Silent.ToString().ToLowerInvariant()}.json");

    /// <summary>Null when the arguments do not parse.</summary>
    public static LoopScaleOptions? Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        IReadOnlyList<int> sizes = [10, 100, 1000];
        var percent = 10;
        var silent = SilentKind.Refuse;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--silent-percent" when i + 1 < args.Count && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p <= 100:
                    percent = p;
                    i++;
                    break;
                case "--silent" when i + 1 < args.Count && Enum.TryParse<SilentKind>(args[i + 1], ignoreCase: true, out var kind):
                    silent = kind;
                    i++;
                    break;
                case var list when !list.StartsWith("--", StringComparison.Ordinal):
                    var parsed = list.Split(',').Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 0).ToList();
                    if (parsed.Contains(0))
                    {
                        return null;
                    }

                    sizes = parsed;
                    break;
                default:
                    return null;
            }
        }

        return new LoopScaleOptions(sizes, percent, silent);
    }
}
