using Flame.Po.Api.Settings;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.Api.Auth;

/// <summary>
/// The Api's authorisation policies (docs/compatibility.md#authorisation): management routes for the configured
/// management clients; analysis routes for analysis tokens, bound to the analysis id in the request through
/// <see cref="AnalysisOwnerRequirement"/>.
/// </summary>
public static class ApiPolicies
{
    public const string Management = "po-management";
    public const string AnalysisClient = "po-analysis-client";

    public static IServiceCollection AddApiPolicies(this IServiceCollection services)
    {
        services.AddSingleton<IAuthorizationHandler, ManagementClientHandler>();
        services.AddSingleton<IAuthorizationHandler, AnalysisClientHandler>();
        services.AddSingleton<IAuthorizationHandler, AnalysisOwnerHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Management, p => p.RequireAuthenticatedUser().AddRequirements(new ManagementClientRequirement()))
            .AddPolicy(AnalysisClient, p => p.RequireAuthenticatedUser().AddRequirements(new AnalysisClientRequirement()));
        return services;
    }
}

/// <summary>The caller is one of <see cref="ApiSettings.ManagementClients"/> and not an analysis.</summary>
public sealed class ManagementClientRequirement : IAuthorizationRequirement;

/// <summary>The caller is an analysis (its client id is a UUID).</summary>
public sealed class AnalysisClientRequirement : IAuthorizationRequirement;

/// <summary>
/// Resource requirement: the caller is the analysis named by the resource (an analysis id string). Evaluate it
/// with <c>IAuthorizationService.AuthorizeAsync(user, analysisId, AnalysisOwnerRequirement.Instance)</c> once
/// the body is read, e.g. for <c>stream_logs</c> (docs/compatibility.md#b18).
/// </summary>
public sealed class AnalysisOwnerRequirement : IAuthorizationRequirement
{
    public static AnalysisOwnerRequirement Instance { get; } = new();
}
