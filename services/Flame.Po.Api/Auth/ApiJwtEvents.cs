using Flame.Po.Api.Settings;
using Flame.Po.Integrations.Keycloak;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Flame.Po.Api.Auth;

/// <summary>
/// Turns authentication outcomes into problem+json: 401 with <c>WWW-Authenticate: Bearer</c> for any token
/// problem, 403 for a valid token of the wrong client, and 503 when the realm's keys cannot be fetched (the
/// caller is not at fault then, docs/compatibility.md#errors). Tokens are never logged.
/// </summary>
public sealed class ApiJwtEvents(IOptions<KeycloakSettings> keycloak, IProblemDetailsService problems, ILogger<ApiJwtEvents> logger) : JwtBearerEvents
{
    private const string UnavailableKey = "flame.po.auth-unavailable";

    public override Task MessageReceived(MessageReceivedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (KeycloakJwtOptions.RealmUrl(keycloak.Value) is null)
        {
            context.HttpContext.Items[UnavailableKey] = "Token validation is not configured (KEYCLOAK_URL).";
            context.Fail("KEYCLOAK_URL is not set.");
        }

        return Task.CompletedTask;
    }

    public override async Task AuthenticationFailed(AuthenticationFailedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // The token handler reports "no keys" alike for an unknown kid and for a realm it could not read;
        // only the second is Keycloak's fault, and then no configuration can be had at all.
        if (context.Exception is SecurityTokenSignatureKeyNotFoundException && await KeysUnavailableAsync(context) is { } reason)
        {
            logger.LogWarning("Cannot read the Keycloak realm's signing keys: {Reason}", reason);
            context.HttpContext.Items[UnavailableKey] = "The node's Keycloak cannot be reached to check the token; try again later.";
            context.Fail(context.Exception);
            return;
        }

        logger.LogInformation("Rejected a bearer token: {Reason}", context.Exception.GetType().Name);
    }

    public override async Task Challenge(JwtBearerChallengeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.HandleResponse();
        var http = context.HttpContext;
        if (http.Items.TryGetValue(UnavailableKey, out var reason))
        {
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = "5";
            await WriteAsync(http, StatusCodes.Status503ServiceUnavailable, "Authentication is unavailable.", reason as string);
            return;
        }

        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.Headers.WWWAuthenticate = context.AuthenticateFailure is null ? "Bearer" : "Bearer error=\"invalid_token\"";

        // "Not authenticated" is the old service's detail text; clients may match on it.
        await WriteAsync(http, StatusCodes.Status401Unauthorized, "Unauthorized", "Not authenticated");
    }

    public override Task Forbidden(ForbiddenContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Forbidden", "The token's client may not use this route.");
    }

    private static async Task<string?> KeysUnavailableAsync(AuthenticationFailedContext context)
    {
        if (context.Options.ConfigurationManager is not { } manager)
        {
            return null;
        }

        try
        {
            var configuration = await manager.GetConfigurationAsync(context.HttpContext.RequestAborted);
            return configuration.SigningKeys.Count == 0 ? "the realm publishes no signing keys" : null;
        }
        catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException or TimeoutException)
        {
            return e.Message;
        }
    }

    private Task WriteAsync(HttpContext http, int status, string title, string? detail) =>
        problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).AsTask();
}
