using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Flame.Po.Api.Auth;

/// <summary>
/// The bearer token handler of the Api: validates a token with <paramref name="inner"/> (Microsoft.IdentityModel's
/// <c>JsonWebTokenHandler</c>) the first time it is seen and answers its next uses from memory
/// (docs/compatibility.md#authentication). An analysis sends every log line with the same token, and checking its
/// signature, parsing it and building its claims again for each line was about a twelfth of the host's CPU per line.
/// A remembered token is answered only while
/// <list type="bullet">
/// <item>its expiry plus the clock skew has not passed (and at most <see cref="MaxAge"/> after it was validated), and</item>
/// <item>the realm configuration (issuer and signing keys) is the very one it was validated against: a re-read of
/// the keys — a rotation, a token naming an unknown key, the re-read every <see cref="KeycloakJwtOptions.KeyReadInterval"/> —
/// forgets every token validated before.</item>
/// </list>
/// Only tokens that passed are remembered, keyed by the SHA-256 of the token; a refused token is validated again
/// each time, with the same answer as before. At most <paramref name="capacity"/> tokens are kept (expired ones are
/// swept first, then all are forgotten), so memory stays bounded whatever the callers send. Without a configuration
/// manager (no realm configured) nothing is remembered. <paramref name="time"/> is the clock the inner handler checks
/// lifetimes by (the system clock; tests move it).
/// </summary>
public sealed class ValidatedTokenCache(TokenHandler inner, TimeProvider time, int capacity = ValidatedTokenCache.DefaultCapacity) : TokenHandler
{
    /// <summary>About one token per running analysis, plus operators and the Hub adapter.</summary>
    public const int DefaultCapacity = 2048;

    /// <summary>A remembered token is validated again at least this often.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<TokenKey, Entry> _entries = new();

    /// <summary>How many tokens are remembered now.</summary>
    public int Count => _entries.Count;

    public override SecurityToken ReadToken(string token) => inner.ReadToken(token);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        var configuration = await ConfigurationAsync(validationParameters);
        if (configuration is null || string.IsNullOrEmpty(token))
        {
            return await inner.ValidateTokenAsync(token, validationParameters);
        }

        var key = TokenKey.Of(token);
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(key, out var known))
        {
            if (ReferenceEquals(known.Configuration, configuration) && now < known.Until)
            {
                return known.Answer();
            }

            _entries.TryRemove(new KeyValuePair<TokenKey, Entry>(key, known));
        }

        var result = await inner.ValidateTokenAsync(token, validationParameters);
        if (result is { IsValid: true, SecurityToken: { } validated, ClaimsIdentity: { } identity }
            && validated.ValidTo != DateTime.MinValue
            && ReferenceEquals(configuration, await ConfigurationAsync(validationParameters)))
        {
            var expires = new DateTimeOffset(DateTime.SpecifyKind(validated.ValidTo, DateTimeKind.Utc)) + validationParameters.ClockSkew;
            Remember(key, new Entry(configuration, expires < now + MaxAge ? expires : now + MaxAge, validated, identity, result.Issuer, result.TokenType), now);
        }

        return result;
    }

    /// <summary>The realm configuration the inner handler validates against now; null without one or when it cannot be read.</summary>
    private static async Task<BaseConfiguration?> ConfigurationAsync(TokenValidationParameters parameters)
    {
        if (parameters.ConfigurationManager is not { } manager)
        {
            return null;
        }

        try
        {
            return await manager.GetBaseConfigurationAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
        {
            // The inner handler reads it too and reports the failure its own way (the Api answers 503).
            return null;
        }
    }

    private void Remember(TokenKey key, Entry entry, DateTimeOffset now)
    {
        if (_entries.Count >= capacity)
        {
            foreach (var (oldKey, old) in _entries)
            {
                if (old.Until <= now)
                {
                    _entries.TryRemove(new KeyValuePair<TokenKey, Entry>(oldKey, old));
                }
            }

            if (_entries.Count >= capacity)
            {
                _entries.Clear();
            }
        }

        _entries[key] = entry;
    }

    /// <summary>The SHA-256 of a token: what the cache is keyed by.</summary>
    private readonly record struct TokenKey(UInt128 High, UInt128 Low)
    {
        public static TokenKey Of(string token)
        {
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(MemoryMarshal.AsBytes(token.AsSpan()), hash);
            var halves = MemoryMarshal.Cast<byte, UInt128>(hash);
            return new TokenKey(halves[0], halves[1]);
        }
    }

    private sealed record Entry(BaseConfiguration Configuration, DateTimeOffset Until, SecurityToken Token, System.Security.Claims.ClaimsIdentity Identity, string? Issuer, string? TokenType)
    {
        /// <summary>A result like the inner handler's, with an identity of its own (a request may add to it).</summary>
        public TokenValidationResult Answer() => new()
        {
            IsValid = true,
            SecurityToken = Token,
            ClaimsIdentity = Identity is CaseSensitiveClaimsIdentity ? new CaseSensitiveClaimsIdentity(Identity) : Identity.Clone(),
            Issuer = Issuer,
            TokenType = TokenType,
        };
    }
}
