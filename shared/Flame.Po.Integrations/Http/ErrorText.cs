namespace Flame.Po.Integrations.Http;

/// <summary>The error text of a dependency's answer, shortened and with known secrets masked, fit for exception messages.</summary>
internal static class ErrorText
{
    private const int MaxLength = 300;

    public static async Task<string> ReadAsync(HttpResponseMessage response, IEnumerable<string?> secrets, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException)
        {
            text = "";
        }

        return Mask(text, secrets);
    }

    /// <summary>A dependency may echo a request field back; masking keeps our own secrets out either way.</summary>
    public static string Mask(string text, IEnumerable<string?> secrets)
    {
        foreach (var secret in secrets)
        {
            if (!string.IsNullOrEmpty(secret))
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        text = text.ReplaceLineEndings(" ").Trim();
        return text.Length > MaxLength ? text[..MaxLength] + "…" : text;
    }
}
