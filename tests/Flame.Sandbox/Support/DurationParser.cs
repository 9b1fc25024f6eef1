using System.Globalization;

namespace Flame.Sandbox.Support;

/// <summary>Parses Go-style durations used in scenario image references ("20s", "1m30s", "250ms", "2h").</summary>
public static class DurationParser
{
    public static TimeSpan Parse(string text)
    {
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var plainSeconds))
        {
            return TimeSpan.FromSeconds(plainSeconds);
        }

        var total = TimeSpan.Zero;
        var i = 0;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && (char.IsDigit(text[i]) || text[i] == '.'))
            {
                i++;
            }

            var unitStart = i;
            while (i < text.Length && char.IsLetter(text[i]))
            {
                i++;
            }

            if (start == unitStart || unitStart == i)
            {
                throw new FormatException($"invalid duration \"{text}\"");
            }

            var number = double.Parse(text[start..unitStart], CultureInfo.InvariantCulture);
            total += text[unitStart..i] switch
            {
                "ms" => TimeSpan.FromMilliseconds(number),
                "s" => TimeSpan.FromSeconds(number),
                "m" => TimeSpan.FromMinutes(number),
                "h" => TimeSpan.FromHours(number),
                var unit => throw new FormatException($"unknown unit \"{unit}\" in duration \"{text}\""),
            };
        }

        return total;
    }
}
