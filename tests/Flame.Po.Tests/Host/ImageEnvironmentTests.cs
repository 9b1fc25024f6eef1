using System.Globalization;
using System.Runtime.CompilerServices;

namespace Flame.Po.Tests.Host;

/// <summary>
/// The runtime variables of the image (the Dockerfile's last stage, <c>ENV</c>): settings the runtime reads only from
/// the environment, measured in README "Performance" (seventh round).
/// </summary>
public sealed class ImageEnvironmentTests
{
    private static readonly Dictionary<string, string> Variables = Read();

    [Fact]
    public void Hot_methods_are_recompiled_after_256_calls_without_the_start_up_delay()
    {
        Variables.Should().ContainKey("DOTNET_TC_CallCountingDelayMs").WhoseValue.Should().Be("0");

        // The runtime parses these values as hexadecimal: "256" would mean 598 calls.
        var threshold = Variables.Should().ContainKey("DOTNET_TC_CallCountThreshold").WhoseValue;
        threshold.Should().StartWith("0x");
        int.Parse(threshold[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture).Should().Be(256);
    }

    [Fact]
    public void Native_memory_keeps_two_malloc_arenas()
    {
        Variables.Should().ContainKey("MALLOC_ARENA_MAX").WhoseValue.Should().Be("2");
    }

    private static Dictionary<string, string> Read([CallerFilePath] string thisFile = "")
    {
        var lines = File.ReadAllLines(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "..", "Dockerfile")));
        var lastStage = Array.FindLastIndex(lines, l => l.StartsWith("FROM ", StringComparison.Ordinal));
        var text = string.Join('\n', lines[lastStage..]).Replace("\\\n", " ", StringComparison.Ordinal);
        return text.Split('\n')
            .Where(l => l.StartsWith("ENV ", StringComparison.Ordinal))
            .SelectMany(l => l[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1].Trim('"'), StringComparer.Ordinal);
    }
}
