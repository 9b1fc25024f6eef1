using System.Globalization;
using System.Text;

namespace Flame.Po.Logging.Ingestion;

/// <summary>
/// Makes a message storable as PostgreSQL text without losing what can be kept: NUL and unpaired surrogates
/// (which PostgreSQL or UTF-8 refuse) become U+FFFD, everything else — newlines, non-ASCII — stays; over-long
/// messages are cut with a note of how much was cut.
/// </summary>
public static class StoredText
{
    private const char Replacement = '\uFFFD';

    public static string Of(string message, int maxChars)
    {
        ArgumentNullException.ThrowIfNull(message);
        var cut = 0;
        if (message.Length > maxChars)
        {
            var keep = char.IsHighSurrogate(message[maxChars - 1]) ? maxChars - 1 : maxChars;
            cut = message.Length - keep;
            message = message[..keep];
        }

        if (NeedsRepair(message))
        {
            message = Repair(message);
        }

        return cut == 0 ? message : string.Create(CultureInfo.InvariantCulture, $"{message} … [{cut} characters cut]");
    }

    private static bool NeedsRepair(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || (char.IsHighSurrogate(c) && (i + 1 >= text.Length || !char.IsLowSurrogate(text[++i]))) || char.IsLowSurrogate(c))
            {
                return true;
            }
        }

        return false;
    }

    private static string Repair(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                builder.Append(c).Append(text[++i]);
            }
            else
            {
                builder.Append(c == '\0' || char.IsSurrogate(c) ? Replacement : c);
            }
        }

        return builder.ToString();
    }
}
