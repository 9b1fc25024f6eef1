namespace Flame.Po.Core.Settings;

/// <summary>Reusable checks for settings; every message names the variable, never its value.</summary>
public static class SettingRules
{
    public static IEnumerable<string> Required(string? value, string variable, string meaning)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            yield return $"{variable} is required ({meaning}).";
        }
    }

    public static IEnumerable<string> Port(int value, string variable)
    {
        if (value is < 1 or > 65535)
        {
            yield return $"{variable} must be a TCP port between 1 and 65535.";
        }
    }

    public static IEnumerable<string> Positive(double value, string variable, string unit)
    {
        if (!(value > 0) || double.IsInfinity(value))
        {
            yield return $"{variable} must be a positive number of {unit}.";
        }
    }

    /// <summary>Checks an optional URL: empty is fine, anything else must be an absolute http(s) URL.</summary>
    public static IEnumerable<string> OptionalHttpUrl(string? value, string variable)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            yield break;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return $"{variable} must be an absolute http:// or https:// URL.";
        }
    }
}
