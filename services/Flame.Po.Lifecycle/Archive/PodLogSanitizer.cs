using System.Text;
using System.Text.RegularExpressions;

namespace Flame.Po.Lifecycle.Archive;

/// <summary>
/// What operators see of a pod log (docs/compatibility.md#logs): uvicorn's <c>INFO:</c> lines and the access-log
/// lines of the PO's own health probes and the broker's webhook calls are noise and are dropped. Unlike the old
/// service, text outside ASCII is kept (analysts write in their languages); only control characters other than tab
/// go, after ANSI colour sequences are removed whole so that no <c>[32m</c> debris remains.
/// </summary>
public static partial class PodLogSanitizer
{
    public static string Sanitize(string log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var kept = new List<string>();
        foreach (var raw in log.Split('\n'))
        {
            var line = Clean(raw);
            if (!IsNoise(line))
            {
                kept.Add(line);
            }
        }

        return string.Join('\n', kept);
    }

    private static bool IsNoise(string line) =>
        line.StartsWith("INFO:", StringComparison.Ordinal) || ProbeAccessLine().IsMatch(line);

    private static string Clean(string line)
    {
        var withoutColours = AnsiSequence().Replace(line, "");
        var text = new StringBuilder(withoutColours.Length);
        foreach (var c in withoutColours)
        {
            if (c == '\t' || !char.IsControl(c))
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    /// <summary>CSI sequences (colours, cursor moves) as terminals understand them.</summary>
    [GeneratedRegex(@"\x1B\[[0-?]*[ -/]*[@-~]")]
    private static partial Regex AnsiSequence();

    /// <summary>uvicorn's access-log suffix for a successful healthz probe or webhook delivery (HTTP/1.0 or 1.1).</summary>
    [GeneratedRegex(@"""(GET /healthz|POST /webhook) HTTP/1\.[01]"" 200( OK)?\s*$")]
    private static partial Regex ProbeAccessLine();
}
