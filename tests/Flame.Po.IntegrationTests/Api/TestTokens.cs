using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Flame.Sandbox.Keycloak;

namespace Flame.Po.IntegrationTests.Api;

/// <summary>Tokens the sandbox's factory does not mint: tampered, unsigned and algorithm-confused ones.</summary>
public static class TestTokens
{
    /// <summary>A realm-signed header and signature over another token's payload: known kid, wrong signature.</summary>
    public static string WrongSignature(string signedToken, string otherToken)
    {
        var signed = signedToken.Split('.');
        return $"{signed[0]}.{otherToken.Split('.')[1]}.{signed[2]}";
    }

    /// <summary>The payload of a valid token under <c>alg: none</c> and no signature.</summary>
    public static string AlgNone(string validToken) =>
        $"{Segment(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" })}.{validToken.Split('.')[1]}.";

    /// <summary>HS256 "signed" with a guessable secret under the realm's kid: must not pass as RS256.</summary>
    public static string Hs256(string validToken, string kid)
    {
        var input = $"{Segment(new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT", ["kid"] = kid })}.{validToken.Split('.')[1]}";
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes("public-key-as-secret-0123456789abcdef"), Encoding.ASCII.GetBytes(input));
        return $"{input}.{JwtSigner.Base64Url(signature)}";
    }

    private static string Segment(JsonObject json) => JwtSigner.Base64Url(Encoding.UTF8.GetBytes(json.ToJsonString()));
}
