namespace Flame.Sandbox.Keycloak;

/// <summary>Test helper: tokens a PO must accept or reject, minted by (or deliberately unlike) the realm.</summary>
public sealed class TokenFactory(KeycloakRealm realm, string managementClientId)
{
    public string ManagementClientId => managementClientId;

    /// <summary>A valid token of the management client (the PO's own / hub-adapter style caller).</summary>
    public string Management(TimeSpan? lifetime = null) => realm.Mint(managementClientId, lifetime ?? realm.TokenLifetime);

    /// <summary>A valid token of the analysis client whose client id is the analysis id.</summary>
    public string Analysis(string analysisId, TimeSpan? lifetime = null) => realm.Mint(analysisId, lifetime ?? realm.TokenLifetime);

    public string ForClient(string clientId, TimeSpan? lifetime = null) => realm.Mint(clientId, lifetime ?? realm.TokenLifetime);

    public string Expired(string clientId) => realm.Mint(clientId, TimeSpan.FromMinutes(5), issuedAgo: TimeSpan.FromMinutes(10));

    public string WrongIssuer(string clientId) => realm.Mint(clientId, realm.TokenLifetime, issuer: realm.Issuer.Replace("/realms/", "/realms/other-", StringComparison.Ordinal));

    public string WrongKey(string clientId) => realm.Mint(clientId, realm.TokenLifetime, signer: realm.ForeignSigner);

    /// <summary>A token of the management client signed with <paramref name="signer"/> (e.g. a key the realm rotated away from).</summary>
    public string SignedBy(JwtSigner signer) => realm.Mint(managementClientId, realm.TokenLifetime, signer: signer);

    public string NotYetValid(string clientId) => realm.Mint(clientId, realm.TokenLifetime + TimeSpan.FromHours(1), notBefore: TimeSpan.FromHours(1));
}
