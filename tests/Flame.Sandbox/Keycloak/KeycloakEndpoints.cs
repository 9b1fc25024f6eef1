using System.Text;
using System.Text.Json.Nodes;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Keycloak;

/// <summary>
/// The Keycloak endpoints the PO uses (docs/compatibility.md#authentication, #keycloak-clients): discovery, JWKS,
/// client-credentials tokens, and the admin clients API (only for clients holding manage-clients). Plus
/// <c>POST {realm}/_sim/tokens</c> to mint tokens over HTTP.
/// </summary>
public static class KeycloakEndpoints
{
    public static void Map(IEndpointRouteBuilder app, string prefix, KeycloakRealm realm)
    {
        var realmGroup = app.MapGroup($"{prefix}/realms/{{realmName}}");
        realmGroup.MapGet("/.well-known/openid-configuration", (string realmName) => RealmOr404(realm, realmName, () => Results.Json(Discovery(realm))));
        realmGroup.MapGet("/protocol/openid-connect/certs", (string realmName) => RealmOr404(realm, realmName, () => Results.Json(new JsonObject { ["keys"] = new JsonArray([.. realm.PublishedSigners.Select(signer => (JsonNode)signer.Jwk())]) })));
        realmGroup.MapPost("/protocol/openid-connect/token", async (string realmName, HttpRequest request) =>
            realmName == realm.Name ? await TokenAsync(realm, request) : Results.Json(new JsonObject { ["error"] = "Realm does not exist" }, statusCode: 404));
        realmGroup.MapPost("/_sim/tokens", async (string realmName, HttpRequest request) =>
        {
            var body = await JsonNode.ParseAsync(request.Body);
            var clientId = body.Str("client_id");
            if (string.IsNullOrEmpty(clientId))
            {
                return Results.Json(new JsonObject { ["error"] = "client_id is required" }, statusCode: 400);
            }

            var lifetime = TimeSpan.FromSeconds(body.Num("expires_in") ?? (long)realm.TokenLifetime.TotalSeconds);
            return Results.Json(new JsonObject { ["access_token"] = realm.Mint(clientId, lifetime), ["expires_in"] = (long)lifetime.TotalSeconds, ["token_type"] = "Bearer" });
        });

        var admin = app.MapGroup($"{prefix}/admin/realms/{{realmName}}/clients");
        admin.MapGet("/", (string realmName, HttpRequest request, string? clientId) => Admin(realm, realmName, request, () =>
        {
            var clients = realm.Clients.Where(c => clientId is null || c.ClientId == clientId);
            return Results.Json(new JsonArray(clients.Select(c => (JsonNode)Representation(c)).ToArray()));
        }));
        admin.MapPost("/", async (string realmName, HttpRequest request) =>
        {
            if (AdminCheck(realm, realmName, request) is { } denied)
            {
                return denied;
            }

            var body = await JsonNode.ParseAsync(request.Body);
            var clientId = body.Str("clientId");
            if (string.IsNullOrEmpty(clientId))
            {
                return Results.Json(new JsonObject { ["errorMessage"] = "Client id is required" }, statusCode: 400);
            }

            if (realm.FindByClientId(clientId) is not null)
            {
                return Results.Json(new JsonObject { ["errorMessage"] = $"Client {clientId} already exists" }, statusCode: 409);
            }

            var created = realm.AddClient(clientId, body.Str("secret"), name: body.Str("name"));
            return Results.Created($"{request.Scheme}://{request.Host}{request.PathBase}{request.Path.Value!.TrimEnd('/')}/{created.Id}", null);
        });
        admin.MapGet("/{id}", (string realmName, string id, HttpRequest request) => Admin(realm, realmName, request, () =>
            realm.FindById(id) is { } c ? Results.Json(Representation(c)) : NotFound()));
        admin.MapGet("/{id}/client-secret", (string realmName, string id, HttpRequest request) => Admin(realm, realmName, request, () =>
            realm.FindById(id) is { } c ? Results.Json(new JsonObject { ["type"] = "secret", ["value"] = c.Secret }) : NotFound()));
        admin.MapDelete("/{id}", (string realmName, string id, HttpRequest request) => Admin(realm, realmName, request, () =>
            realm.Remove(id) ? Results.NoContent() : NotFound()));
    }

    private static IResult NotFound() => Results.Json(new JsonObject { ["error"] = "Could not find client" }, statusCode: 404);

    private static IResult RealmOr404(KeycloakRealm realm, string name, Func<IResult> then) =>
        name == realm.Name ? then() : Results.Json(new JsonObject { ["error"] = "Realm does not exist" }, statusCode: 404);

    private static IResult Admin(KeycloakRealm realm, string name, HttpRequest request, Func<IResult> then) =>
        AdminCheck(realm, name, request) ?? then();

    private static IResult? AdminCheck(KeycloakRealm realm, string name, HttpRequest request)
    {
        if (name != realm.Name)
        {
            return Results.Json(new JsonObject { ["error"] = "Realm not found." }, statusCode: 404);
        }

        var header = request.Headers.Authorization.ToString();
        var payload = header.StartsWith("Bearer ", StringComparison.Ordinal) ? realm.Verify(header["Bearer ".Length..]) : null;
        if (payload is null || payload.Str("iss") != realm.Issuer)
        {
            return Results.Json(new JsonObject { ["error"] = "HTTP 401 Unauthorized" }, statusCode: 401);
        }

        var caller = realm.FindByClientId(payload.Str("azp") ?? "");
        return caller is { CanManageClients: true } ? null : Results.Json(new JsonObject { ["error"] = "unknown_error" }, statusCode: 403);
    }

    private static JsonObject Representation(KeycloakClient c) => new()
    {
        ["id"] = c.Id,
        ["clientId"] = c.ClientId,
        ["name"] = c.Name,
        ["surrogateAuthRequired"] = false,
        ["enabled"] = true,
        ["clientAuthenticatorType"] = "client-secret",
        ["secret"] = c.Secret,
        ["bearerOnly"] = false,
        ["standardFlowEnabled"] = true,
        ["serviceAccountsEnabled"] = c.ServiceAccountsEnabled,
        ["publicClient"] = false,
        ["protocol"] = "openid-connect",
    };

    private static JsonObject Discovery(KeycloakRealm realm)
    {
        var oidc = $"{realm.Issuer}/protocol/openid-connect";
        return new JsonObject
        {
            ["issuer"] = realm.Issuer,
            ["authorization_endpoint"] = $"{oidc}/auth",
            ["token_endpoint"] = $"{oidc}/token",
            ["introspection_endpoint"] = $"{oidc}/token/introspect",
            ["userinfo_endpoint"] = $"{oidc}/userinfo",
            ["end_session_endpoint"] = $"{oidc}/logout",
            ["jwks_uri"] = $"{oidc}/certs",
            ["grant_types_supported"] = new JsonArray("authorization_code", "client_credentials", "refresh_token"),
            ["response_types_supported"] = new JsonArray("code", "token", "id_token"),
            ["subject_types_supported"] = new JsonArray("public", "pairwise"),
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_basic", "client_secret_post"),
        };
    }

    private static async Task<IResult> TokenAsync(KeycloakRealm realm, HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return Error(400, "invalid_request", "Missing form parameter: grant_type");
        }

        var form = await request.ReadFormAsync();
        string? clientId = form["client_id"];
        string? secret = form["client_secret"];
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..])).Split(':', 2);
            clientId = Uri.UnescapeDataString(pair[0]);
            secret = pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : null;
        }

        var grant = form["grant_type"].ToString();
        if (grant.Length == 0)
        {
            return Error(400, "invalid_request", "Missing form parameter: grant_type");
        }

        var client = clientId is null ? null : realm.FindByClientId(clientId);
        if (client is null || client.Secret != secret)
        {
            return Error(401, "unauthorized_client", "Invalid client or Invalid client credentials");
        }

        if (grant != "client_credentials")
        {
            return Error(400, "unsupported_grant_type", "Unsupported grant_type");
        }

        var lifetime = realm.TokenLifetime;
        return Results.Json(new JsonObject
        {
            ["access_token"] = realm.Mint(client.ClientId, lifetime),
            ["expires_in"] = (long)lifetime.TotalSeconds,
            ["refresh_expires_in"] = 0,
            ["token_type"] = "Bearer",
            ["not-before-policy"] = 0,
            ["scope"] = "profile email",
        });
    }

    private static IResult Error(int code, string error, string description) =>
        Results.Json(new JsonObject { ["error"] = error, ["error_description"] = description }, statusCode: code);
}
