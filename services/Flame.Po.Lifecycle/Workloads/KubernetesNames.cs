using System.Text.RegularExpressions;

namespace Flame.Po.Lifecycle.Workloads;

/// <summary>
/// The name and label syntax rules of the API server (the API server's validation rules). Patterns end in <c>\z</c>:
/// .NET's <c>$</c> also matches before a final newline, which would let "name\n" through.
/// </summary>
public static partial class KubernetesNames
{
    public const int MaxLabelLength = 63;
    public const int MaxSubdomainLength = 253;

    /// <summary>DNS-1123 label: at most 63 characters, lower-case alphanumerics and '-', alphanumeric at both ends.</summary>
    public static bool IsDns1123Label(string? value) =>
        value is { Length: > 0 and <= MaxLabelLength } && Dns1123Label().IsMatch(value);

    /// <summary>DNS-1035 label (Service names): a DNS-1123 label that starts with a letter.</summary>
    public static bool IsDns1035Label(string? value) => IsDns1123Label(value) && value![0] is >= 'a' and <= 'z';

    /// <summary>DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253 characters in all.</summary>
    public static bool IsDns1123Subdomain(string? value) =>
        value is { Length: > 0 and <= MaxSubdomainLength } && Dns1123Subdomain().IsMatch(value);

    /// <summary>Label value: empty, or at most 63 characters of [A-Za-z0-9-_.], alphanumeric at both ends.</summary>
    public static bool IsLabelValue(string? value) =>
        value is not null && (value.Length == 0 || (value.Length <= MaxLabelLength && LabelValue().IsMatch(value)));

    /// <summary>Label key: optional DNS-1123 subdomain prefix and '/', then a name like a label value (non-empty).</summary>
    public static bool IsLabelKey(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? value : value[(slash + 1)..];
        var prefixValid = slash < 0 || IsDns1123Subdomain(value[..slash]);
        return prefixValid && name.Length > 0 && IsLabelValue(name);
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\\z", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex LabelValue();
}
