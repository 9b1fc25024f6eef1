using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.Dapr.Invocation;

/// <summary>
/// The <see cref="AppChannel.Policy"/> authorization policy. The token (header <c>dapr-api-token</c>) is checked in
/// fixed time by <see cref="AppTokenAuthenticationHandler"/>; a local channel additionally requires the request to have
/// come through <see cref="LocalChannel"/> (in memory), so the public port never serves these routes.
/// </summary>
public static class AppChannelPolicy
{
    public static IServiceCollection AddAppChannel(this IServiceCollection services, AppChannel channel)
    {
        services.AddSingleton(channel);
        services.AddAuthentication().AddScheme<AppTokenAuthenticationOptions, AppTokenAuthenticationHandler>(
            AppTokenAuthenticationHandler.SchemeName, options => options.Token = channel.Token);
        services.AddAuthorizationBuilder().AddPolicy(AppChannel.Policy, policy =>
        {
            if (channel.Token is null)
            {
                // Dapr mode on loopback without APP_API_TOKEN: only the local sidecar can reach the app.
                policy.RequireAssertion(_ => true);
                return;
            }

            policy.AddAuthenticationSchemes(AppTokenAuthenticationHandler.SchemeName).RequireAuthenticatedUser();
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
