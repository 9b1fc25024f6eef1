using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace Flame.Po.ServiceDefaults.Settings;

/// <summary>
/// Reads a <c>.env</c> file (<c>KEY=VALUE</c> lines, <c>#</c> comments, optional quotes) like the service we
/// replace did (docs/compatibility.md#configuration). Real environment variables win over the file.
/// </summary>
public static class DotEnvFile
{
    public static IReadOnlyDictionary<string, string?> Parse(IEnumerable<string> lines)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            if (line.StartsWith("export ", StringComparison.Ordinal))
            {
                line = line["export ".Length..].TrimStart();
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var value = line[(equals + 1)..].Trim();
            if (value.Length >= 2 && (value[0] == '"' || value[0] == '\'') && value[^1] == value[0])
            {
                value = value[1..^1];
            }

            values[line[..equals].Trim()] = value;
        }

        return values;
    }

    /// <summary>Adds the file's values beneath the environment-variable source, if the file exists.</summary>
    public static void AddDotEnvFile(this IConfigurationManager configuration, string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        var source = new MemoryConfigurationSource { InitialData = Parse(File.ReadAllLines(path)) };
        var sources = configuration.Sources;
        var environment = sources.Select((s, i) => (s, i)).FirstOrDefault(p => p.s is EnvironmentVariablesConfigurationSource { Prefix: null or "" });
        if (environment.s is null)
        {
            sources.Insert(0, source);
        }
        else
        {
            sources.Insert(environment.i, source);
        }
    }
}
