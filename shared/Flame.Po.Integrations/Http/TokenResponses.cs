using System.Globalization;
using System.Text.Json;

namespace Flame.Po.Integrations.Http;

/// <summary>Reads an OAuth2 token answer (<c>access_token</c>, <c>expires_in</c>) of Keycloak or the Hub auth service.</summary>
internal static class TokenResponses
{
    /// <summary>Assumed when the answer omits <c>expires_in</c>: short, so a missing value cannot keep a dead token.</summary>
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromSeconds(60);

    public static async Task<IssuedToken?> ReadAsync(HttpResponseMessage response, DateTimeOffset requestedAt, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("access_token", out var token) || token.ValueKind != JsonValueKind.String || token.GetString() is not { Length: > 0 } accessToken)
            {
                return null;
            }

            return new IssuedToken(accessToken, requestedAt, Lifetime(root));
        }
    }

    private static TimeSpan Lifetime(JsonElement root)
    {
        if (!root.TryGetProperty("expires_in", out var value))
        {
            return DefaultLifetime;
        }

        var seconds = value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetDouble(out var n) => n,
            JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) => n,
            _ => -1,
        };
        return seconds > 0 ? TimeSpan.FromSeconds(seconds) : DefaultLifetime;
    }
}
