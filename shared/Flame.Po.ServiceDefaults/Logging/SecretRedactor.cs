using Microsoft.Extensions.Configuration;

namespace Flame.Po.ServiceDefaults.Logging;

/// <summary>
/// Last line of defence against secrets in logs: every configured value whose variable name marks it as a
/// secret is replaced by <c>***</c> wherever it appears in a log line. Code must still never log secrets.
/// </summary>
public sealed class SecretRedactor
{
    public const string Mask = "***";

    private static readonly string[] SecretMarkers = ["PASSWORD", "SECRET", "TOKEN", "_PW", "PRIVATE_KEY"];

    private readonly string[] _secrets;

    public SecretRedactor(IEnumerable<string> secrets) =>
        // Longest first, so a secret that contains another is masked whole. Very short values would mask noise.
        _secrets = secrets.Where(s => s.Length >= 4).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length).ToArray();

    public static SecretRedactor None { get; } = new([]);

    public static bool IsSecretName(string name) =>
        SecretMarkers.Any(marker => name.Contains(marker, StringComparison.OrdinalIgnoreCase));

    public static SecretRedactor FromConfiguration(IConfiguration configuration) =>
        new(configuration.AsEnumerable()
            .Where(pair => pair.Value is not null && IsSecretName(pair.Key))
            .Select(pair => pair.Value!));

    public string Redact(string text)
    {
        foreach (var secret in _secrets)
        {
            if (text.Contains(secret, StringComparison.Ordinal))
            {
                text = text.Replace(secret, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
