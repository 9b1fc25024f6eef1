using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.Dapr.Invocation;

/// <summary>
/// The <see cref="AppChannel.Policy"/> authorization policy. The token is checked by the Dapr SDK's app-token
/// authentication (scheme <c>Dapr</c>, header <c>dapr-api-token</c>); a local channel additionally requires the
/// request to have come through <see cref="LocalChannel"/> (in memory), so the public port never serves these routes.
/// </summary>
public static class AppChannelPolicy
{
    private const string DaprScheme = "Dapr";

    public static IServiceCollection AddAppChannel(this IServiceCollection services, AppChannel channel)
    {
        services.AddSingleton(channel);
        services.AddAuthentication().AddDapr(options => options.Token = channel.Token ?? string.Empty);
        services.AddAuthorizationBuilder().AddPolicy(AppChannel.Policy, policy =>
        {
            if (channel.Token is null)
            {
                // Dapr mode on loopback without APP_API_TOKEN: only the local sidecar can reach the app.
                policy.RequireAssertion(_ => true);
                return;
            }

            policy.AddAuthenticationSchemes(DaprScheme).RequireAuthenticatedUser();
            if (channel.IsLocal)
            {
                policy.RequireAssertion(context => context.Resource is HttpContext http && LocalChannel.CameThrough(http));
            }
        });
        return services;
    }

    /// <summary>Restricts endpoints to the app channel (Dapr sidecar, or the host's own local channel).</summary>
    public static TBuilder RequireAppChannel<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.RequireAuthorization(AppChannel.Policy);
}
