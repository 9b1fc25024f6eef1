using System.Globalization;

namespace Flame.Po.Benchmarks;

/// <summary>CPU time (user + system) of a process, for figures of CPU per request or per line.</summary>
public static class ProcessCpu
{
    /// <summary>The CPU time of process <paramref name="id"/> from <c>/proc/&lt;id&gt;/stat</c>, in milliseconds.</summary>
    public static double Milliseconds(int id)
    {
        var stat = File.ReadAllText($"/proc/{id.ToString(CultureInfo.InvariantCulture)}/stat");

        // utime and stime are the 14th and 15th fields; the command name before them may contain spaces.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks * 1000.0 / ClockTicksPerSecond;
    }

    /// <summary>The CPU time of this process, in milliseconds.</summary>
    public static double OwnMilliseconds() => Environment.CpuUsage.TotalTime.TotalMilliseconds;

    /// <summary>USER_HZ: 100 on every Linux this runs on (<c>getconf CLK_TCK</c>).</summary>
    private const double ClockTicksPerSecond = 100;
}
