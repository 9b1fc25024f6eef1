namespace Flame.Sandbox.Scenarios;

/// <summary>
/// Splits an image reference into the scenario name and its parameters (see <see cref="Scenario"/>); null when
/// the image is not a simulated analysis.
/// </summary>
public static class ScenarioReference
{
    public static (string Name, Dictionary<string, string> Parameters)? Split(string image)
    {
        var query = image.IndexOf('?', StringComparison.Ordinal);
        var reference = query < 0 ? image : image[..query];
        var digest = reference.IndexOf('@', StringComparison.Ordinal);
        if (digest >= 0)
        {
            reference = reference[..digest];
        }

        // The tag is after the last ':' that follows the last '/'; an earlier ':' is a registry port.
        var lastSlash = reference.LastIndexOf('/');
        var colon = reference.IndexOf(':', lastSlash + 1);
        var repository = colon < 0 ? reference : reference[..colon];
        var tag = colon < 0 ? null : reference[(colon + 1)..];
        var segments = repository.Split('/');
        if (segments.Length < 2 || segments[^2] != "sim" || segments[^1].Length == 0)
        {
            return null;
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (tag ?? "").Split('_', StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = pair.IndexOf('-', StringComparison.Ordinal);
            parameters[dash < 0 ? pair : pair[..dash]] = dash < 0 ? "" : pair[(dash + 1)..];
        }

        if (query >= 0)
        {
            foreach (var pair in image[(query + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                parameters[eq < 0 ? pair : pair[..eq]] = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            }
        }

        return (segments[^1], parameters);
    }
}
