using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Flame.Sandbox.Keycloak;

/// <summary>RS256 JWTs and their JWK, with System.Security.Cryptography only.</summary>
public sealed class JwtSigner(RSA key, string kid) : IDisposable
{
    public string Kid { get; } = kid;

    public string Sign(JsonObject payload)
    {
        var header = new JsonObject { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = Kid };
        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." + Base64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url(signature);
    }

    /// <summary>Checks signature and expiry; returns the payload or null.</summary>
    public JsonObject? Verify(string jwt, DateTimeOffset now)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var header = JsonNode.Parse(FromBase64Url(parts[0]))?.AsObject();
            if (header?["kid"]?.GetValue<string>() != Kid)
            {
                return null;
            }

            var ok = key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var payload = JsonNode.Parse(FromBase64Url(parts[1]))?.AsObject();
            var exp = payload?["exp"]?.GetValue<long>() ?? 0;
            return ok && exp > now.ToUnixTimeSeconds() ? payload : null;
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    public JsonObject Jwk()
    {
        var parameters = key.ExportParameters(false);
        return new JsonObject
        {
            ["kid"] = Kid,
            ["kty"] = "RSA",
            ["alg"] = "RS256",
            ["use"] = "sig",
            ["n"] = Base64Url(parameters.Modulus!),
            ["e"] = Base64Url(parameters.Exponent!),
        };
    }

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }

    public void Dispose() => key.Dispose();
}
