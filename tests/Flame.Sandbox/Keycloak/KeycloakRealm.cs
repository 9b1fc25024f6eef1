using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Flame.Sandbox.Keycloak;

/// <summary>
/// The realm state: its signing keys, its clients, and how long tokens live. Like Keycloak, a rotated realm signs new
/// tokens with the new key and keeps publishing the previous ones (passive keys) so tokens signed earlier still verify.
/// </summary>
public sealed class KeycloakRealm : IDisposable
{
    private readonly ConcurrentDictionary<string, KeycloakClient> _clients = new(StringComparer.Ordinal);
    private readonly Random _random;
    private readonly Lock _randomGate = new();
    private readonly Lock _keysGate = new();
    private IReadOnlyList<JwtSigner> _published;

    public KeycloakRealm(string name, TimeProvider time, TimeSpan tokenLifetime, int seed)
    {
        Name = name;
        Time = time;
        TokenLifetime = tokenLifetime;
        _random = new Random(seed);
        Signer = new JwtSigner(RSA.Create(2048), NewId());
        _published = [Signer];
        ForeignSigner = new JwtSigner(RSA.Create(2048), NewId());
    }

    public string Name { get; }

    public TimeProvider Time { get; }

    /// <summary>Lifetime of tokens from the token endpoint; settable so a test can shorten it mid-run.</summary>
    public TimeSpan TokenLifetime { get; set; }

    /// <summary>Set once the server listens: <c>&lt;base&gt;/realms/&lt;realm&gt;</c>.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>The active key: tokens are signed with it.</summary>
    public JwtSigner Signer { get; private set; }

    /// <summary>Every key in the realm's JWKS (<c>/protocol/openid-connect/certs</c>): the active one first.</summary>
    public IReadOnlyList<JwtSigner> PublishedSigners
    {
        get
        {
            lock (_keysGate)
            {
                return _published;
            }
        }
    }

    /// <summary>A key the realm does not publish, for "signed by the wrong key" tokens.</summary>
    public JwtSigner ForeignSigner { get; }

    /// <summary>A new active key (Keycloak's key rotation); the previous keys stay published.</summary>
    public JwtSigner RotateSigningKey()
    {
        var next = new JwtSigner(RSA.Create(2048), NewId());
        lock (_keysGate)
        {
            _published = [next, .. _published];
            Signer = next;
        }

        return next;
    }

    /// <summary>
    /// Deletes a key that is no longer the active one (in Keycloak: the key provider removed, e.g. after a leak): it
    /// leaves the JWKS, and tokens it signed no longer verify.
    /// </summary>
    public void RemoveSigningKey(JwtSigner signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        lock (_keysGate)
        {
            if (ReferenceEquals(signer, Signer))
            {
                throw new InvalidOperationException("The active key cannot be removed; rotate first.");
            }

            _published = [.. _published.Where(s => !ReferenceEquals(s, signer))];
        }
    }

    /// <summary>The payload of a token signed by one of the published keys and not expired; otherwise null.</summary>
    public JsonObject? Verify(string jwt) =>
        PublishedSigners.Select(signer => signer.Verify(jwt, Time.GetUtcNow())).FirstOrDefault(payload => payload is not null);

    public IReadOnlyCollection<KeycloakClient> Clients => _clients.Values.OrderBy(c => c.ClientId, StringComparer.Ordinal).ToList();

    public string NewId()
    {
        var bytes = new byte[16];
        lock (_randomGate)
        {
            _random.NextBytes(bytes);
        }

        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }

    public string NewSecret() => JwtSigner.Base64Url(Guid.Parse(NewId()).ToByteArray()) + JwtSigner.Base64Url(Guid.Parse(NewId()).ToByteArray());

    public KeycloakClient AddClient(string clientId, string? secret = null, bool canManageClients = false, string? name = null)
    {
        var client = new KeycloakClient(NewId(), clientId, name ?? clientId, secret ?? NewSecret(), true, canManageClients);
        return _clients.TryAdd(clientId, client) ? client : _clients[clientId];
    }

    public KeycloakClient? FindByClientId(string clientId) => _clients.TryGetValue(clientId, out var c) ? c : null;

    public KeycloakClient? FindById(string id) => _clients.Values.FirstOrDefault(c => c.Id == id);

    public bool Remove(string id) => FindById(id) is { } c && _clients.TryRemove(c.ClientId, out _);

    /// <summary>A Keycloak-shaped client-credentials access token.</summary>
    public string Mint(string clientId, TimeSpan lifetime, string? issuer = null, JwtSigner? signer = null, TimeSpan? notBefore = null, TimeSpan? issuedAgo = null)
    {
        var now = Time.GetUtcNow() - (issuedAgo ?? TimeSpan.Zero);
        var client = FindByClientId(clientId);
        var payload = new JsonObject
        {
            ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["jti"] = NewId(),
            ["iss"] = issuer ?? Issuer,
            ["aud"] = "account",
            ["sub"] = client?.Id ?? NewId(),
            ["typ"] = "Bearer",
            ["azp"] = clientId,
            ["acr"] = "1",
            ["scope"] = "profile email",
            ["email_verified"] = false,
            ["clientHost"] = "127.0.0.1",
            ["preferred_username"] = $"service-account-{clientId}",
            ["clientAddress"] = "127.0.0.1",
            ["client_id"] = clientId,
        };
        if (notBefore is { } nbf)
        {
            payload["nbf"] = (now + nbf).ToUnixTimeSeconds();
        }
        else
        {
            payload["nbf"] = now.ToUnixTimeSeconds();
        }

        return (signer ?? Signer).Sign(payload);
    }

    public void Dispose()
    {
        foreach (var signer in PublishedSigners)
        {
            signer.Dispose();
        }

        ForeignSigner.Dispose();
    }
}
