using System.Globalization;

namespace Flame.Po.Benchmarks;

/// <summary>
/// The command line shape shared by <c>ingest</c>, <c>create</c>, <c>status-read</c> and <c>footprint</c>: at most one positive
/// size, then <c>--name N</c> options with positive whole values (and flags, <see cref="TakeFlag"/>). Anything else does not parse (the program then
/// prints its usage line and exits 2).
/// </summary>
public static class ScenarioArguments
{
    /// <summary>The flag of <c>ingest</c> and <c>create</c> that runs the host as its own process, as in the image.</summary>
    public const string HostProcessFlag = "--host-process";

    /// <summary>
    /// The size and every option, defaults filled in; null when an argument is unknown, repeated or not a
    /// positive whole number.
    /// </summary>
    public static (int Size, IReadOnlyDictionary<string, int> Options)? Parse(IReadOnlyList<string> args, int defaultSize, IReadOnlyDictionary<string, int> defaultOptions)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(defaultOptions);
        int? size = null;
        var options = new Dictionary<string, int>(defaultOptions, StringComparer.Ordinal);
        var given = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                var name = args[i][2..];
                if (!options.ContainsKey(name) || !given.Add(name) || i + 1 >= args.Count || Positive(args[i + 1]) is not { } value)
                {
                    return null;
                }

                options[name] = value;
                i++;
            }
            else if (size is null && Positive(args[i]) is { } parsed)
            {
                size = parsed;
            }
            else
            {
                return null;
            }
        }

        return (size ?? defaultSize, options);
    }

    /// <summary>
    /// Whether <paramref name="flag"/> (an option without a value, e.g. <c>--host-process</c>) is given, and the other
    /// arguments; null when it is given more than once.
    /// </summary>
    public static (bool Present, IReadOnlyList<string> Others)? TakeFlag(IReadOnlyList<string> args, string flag)
    {
        ArgumentNullException.ThrowIfNull(args);
        var rest = args.Where(a => a != flag).ToList();
        return args.Count - rest.Count > 1 ? null : (rest.Count < args.Count, rest);
    }

    private static int? Positive(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
}
