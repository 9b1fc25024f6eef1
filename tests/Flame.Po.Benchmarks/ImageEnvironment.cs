namespace Flame.Po.Benchmarks;

/// <summary>
/// The runtime variables the image sets: the <c>MALLOC_*</c> and <c>DOTNET_*</c> entries of the <c>ENV</c> instructions
/// in the Dockerfile's last stage, read from the Dockerfile itself so that every host process a benchmark starts runs
/// as in the image and the two cannot drift apart. Ports and the PO's own settings come from the scenario instead.
/// </summary>
public static class ImageEnvironment
{
    private static readonly string[] RuntimePrefixes = ["MALLOC_", "DOTNET_"];

    private static readonly Lazy<IReadOnlyDictionary<string, string?>> FromRepository =
        new(() => Read(File.ReadAllLines(Path.Combine(RepositoryRootFinder.Find(), "Dockerfile"))));

    /// <summary>The variables of the repository's Dockerfile.</summary>
    public static IReadOnlyDictionary<string, string?> Variables => FromRepository.Value;

    /// <summary>Reads the runtime variables from the lines of a Dockerfile (<c>ENV KEY=VALUE …</c>, with <c>\</c> continuations).</summary>
    public static IReadOnlyDictionary<string, string?> Read(IReadOnlyList<string> dockerfile)
    {
        ArgumentNullException.ThrowIfNull(dockerfile);
        var lastStage = 0;
        for (var i = 0; i < dockerfile.Count; i++)
        {
            if (dockerfile[i].TrimStart().StartsWith("FROM ", StringComparison.OrdinalIgnoreCase))
            {
                lastStage = i;
            }
        }

        var variables = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = lastStage; i < dockerfile.Count; i++)
        {
            var line = dockerfile[i].Trim();
            if (!line.StartsWith("ENV ", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var instruction = line[4..];
            while (instruction.EndsWith('\\') && i + 1 < dockerfile.Count)
            {
                instruction = instruction[..^1] + " " + dockerfile[++i].Trim();
            }

            foreach (var pair in instruction.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals <= 0)
                {
                    throw new InvalidOperationException($"The Dockerfile's ENV '{pair}' is not KEY=VALUE.");
                }

                var key = pair[..equals];
                if (RuntimePrefixes.Any(p => key.StartsWith(p, StringComparison.Ordinal)))
                {
                    variables[key] = pair[(equals + 1)..].Trim('"');
                }
            }
        }

        return variables.Count > 0
            ? variables
            : throw new InvalidOperationException("The Dockerfile's last stage sets no runtime variables (MALLOC_*, DOTNET_*) in an ENV instruction.");
    }
}
