using Flame.Po.Api.Settings;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Flame.Po.Api.Auth;

public sealed class ManagementClientHandler(IOptions<ApiSettings> settings) : AuthorizationHandler<ManagementClientRequirement>
{
    private readonly IReadOnlySet<string> _clients = settings.Value.ManagementClientSet;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ManagementClientRequirement requirement)
    {
        if (CallerClaims.AnalysisId(context.User) is null && CallerClaims.ClientId(context.User) is { } client && _clients.Contains(client))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

public sealed class AnalysisClientHandler : AuthorizationHandler<AnalysisClientRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AnalysisClientRequirement requirement)
    {
        if (CallerClaims.AnalysisId(context.User) is not null)
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

public sealed class AnalysisOwnerHandler : AuthorizationHandler<AnalysisOwnerRequirement, string>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AnalysisOwnerRequirement requirement, string resource)
    {
        if (CallerClaims.IsAnalysis(context.User, resource))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
