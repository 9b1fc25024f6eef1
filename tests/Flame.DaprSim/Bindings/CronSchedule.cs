using System.Globalization;
using System.Text.RegularExpressions;

using Cronos;

namespace Flame.DaprSim.Bindings;

/// <summary>
/// A <c>bindings.cron</c> schedule as robfig/cron parses it for the component (components-contrib bindings/cron/cron.go:
/// optional seconds field, descriptors): <c>@every 10s</c> (Go duration, whole seconds, at least 1 s, counted from the
/// start), <c>@hourly</c>/<c>@daily</c>/<c>@midnight</c>/<c>@weekly</c>/<c>@monthly</c>/<c>@yearly</c>/<c>@annually</c>,
/// and 5- or 6-field cron expressions (6 = seconds first), optionally prefixed by <c>CRON_TZ=</c>/<c>TZ=</c>.
/// </summary>
public sealed partial class CronSchedule
{
    private readonly TimeSpan? _every;
    private readonly CronExpression? _expression;
    private readonly TimeZoneInfo _zone;

    private CronSchedule(TimeSpan? every, CronExpression? expression, TimeZoneInfo zone)
    {
        _every = every;
        _expression = expression;
        _zone = zone;
    }

    public static CronSchedule Parse(string schedule)
    {
        var text = schedule.Trim();
        var zone = TimeZoneInfo.Utc;
        var tz = TimeZonePrefix().Match(text);
        if (tz.Success)
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(tz.Groups["zone"].Value);
            text = text[tz.Length..].Trim();
        }

        if (text.StartsWith("@every ", StringComparison.Ordinal))
        {
            var every = GoDuration.Parse(text["@every ".Length..].Trim());
            every = TimeSpan.FromSeconds(Math.Max(1, Math.Floor(every.TotalSeconds)));
            return new CronSchedule(every, null, zone);
        }

        var expression = text switch
        {
            "@yearly" or "@annually" => "0 0 0 1 1 *",
            "@monthly" => "0 0 0 1 * *",
            "@weekly" => "0 0 0 * * 0",
            "@daily" or "@midnight" => "0 0 0 * * *",
            "@hourly" => "0 0 * * * *",
            _ => text,
        };
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var format = fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        return new CronSchedule(null, CronExpression.Parse(expression, format), zone);
    }

    /// <summary>The next trigger after <paramref name="now"/> (robfig: <c>@every</c> aligns to whole seconds).</summary>
    public DateTimeOffset Next(DateTimeOffset now)
    {
        if (_every is { } every)
        {
            var whole = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), now.Offset);
            return whole + every;
        }

        return _expression!.GetNextOccurrence(now, _zone) ?? DateTimeOffset.MaxValue;
    }

    [GeneratedRegex("^(CRON_TZ|TZ)=(?<zone>\\S+)\\s+")]
    private static partial Regex TimeZonePrefix();
}

/// <summary>Go's <c>time.ParseDuration</c> for the units cron schedules use (h, m, s, ms, us, ns), e.g. <c>1m30s</c>.</summary>
public static partial class GoDuration
{
    public static TimeSpan Parse(string text)
    {
        var matches = Part().Matches(text);
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text)
        {
            throw new FormatException($"invalid duration \"{text}\"");
        }

        var total = TimeSpan.Zero;
        foreach (Match m in matches)
        {
            var value = double.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
            total += m.Groups["u"].Value switch
            {
                "h" => TimeSpan.FromHours(value),
                "m" => TimeSpan.FromMinutes(value),
                "s" => TimeSpan.FromSeconds(value),
                "ms" => TimeSpan.FromMilliseconds(value),
                "us" or "µs" => TimeSpan.FromMicroseconds(value),
                _ => TimeSpan.FromTicks((long)(value / 100)),
            };
        }

        return total;
    }

    [GeneratedRegex("(?<n>[0-9]+(\\.[0-9]+)?)(?<u>ns|us|µs|ms|s|m|h)")]
    private static partial Regex Part();
}
