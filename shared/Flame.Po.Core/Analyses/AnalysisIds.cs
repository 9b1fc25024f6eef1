using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Flame.Po.Core.Analyses;

/// <summary>
/// Analysis and project ids are lower-case hyphenated UUIDs: they become Kubernetes names and nginx routes.
/// Upper-case input is normalised; anything else is refused.
/// </summary>
public static partial class AnalysisIds
{
    public static bool TryNormalize(string? value, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        if (value is null || value.Length != 36 || !Uuid().IsMatch(value))
        {
            return false;
        }

        normalized = value.ToLowerInvariant();
        return true;
    }

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Uuid();
}
