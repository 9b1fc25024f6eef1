using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Flame.Po.Dapr.Sidecar;

/// <summary>
/// When <c>APP_API_TOKEN</c> is set, calls from the sidecar must carry it as <c>dapr-api-token</c>
/// (reference/dapr.md §6); anything else on the app-side Dapr routes is refused with 401.
/// </summary>
public sealed class AppApiTokenFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var expected = context.HttpContext.RequestServices.GetRequiredService<IOptions<DaprSettings>>().Value.AppApiToken;
        if (expected is { Length: > 0 })
        {
            var given = context.HttpContext.Request.Headers[DaprSidecarHandler.ApiTokenHeader].ToString();
            if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected)))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Missing or wrong dapr-api-token");
            }
        }

        return await next(context);
    }
}
