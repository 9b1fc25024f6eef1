using System.Globalization;

namespace Flame.Po.Core.Settings;

/// <summary>
/// A retention setting in days (docs/compatibility.md#delete-and-retention): empty keeps data forever, anything else
/// must be a positive whole number of days.
/// </summary>
public static class RetentionDays
{
    /// <summary>The number of days, or null for "keep forever". Call only on a value that passed <see cref="Validate"/>.</summary>
    public static int? Parse(string? value) =>
        string.IsNullOrWhiteSpace(value) ? null : int.Parse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture);

    public static IEnumerable<string> Validate(string? value, string variable)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            yield break;
        }

        if (!int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days <= 0)
        {
            yield return $"{variable} must be a positive whole number of days, or empty to keep data forever.";
        }
    }
}
