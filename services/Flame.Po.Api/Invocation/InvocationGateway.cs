using System.Text.Json;
using Flame.Po.Api.Errors;
using Flame.Po.Dapr.Invocation;
using Flame.Po.Dapr.State;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Api.Invocation;

/// <summary>
/// Calls one app's methods (service invocation; in process or through Dapr) and maps its answers: 200 bodies
/// typed, 404/409/410/422/503 as problems carrying the app's explanation. An answer the Api does not expect is
/// logged and reported as 503, since the caller did nothing wrong.
/// </summary>
public abstract class InvocationGateway(IServiceInvoker invoker, ILogger logger, string appId, string serviceName)
{
    protected async Task<Results<Ok<T>, ProblemHttpResult>> InvokeAsync<T>(string path, object body, CancellationToken ct)
        where T : class
    {
        InvocationResponse response;
        try
        {
            response = await invoker.InvokeAsync(appId, new InvocationRequest(HttpMethod.Post, path, StateJson.ToElement(body)), ct);
        }
        catch (ServiceUnavailableException e)
        {
            logger.LogWarning("The {Service} service is unavailable for {Method}: {Reason}", serviceName, path, e.Message);
            return ApiProblems.Unavailable($"The {serviceName} service cannot be reached; try again later.");
        }

        if (response.IsSuccess && TryRead<T>(response.Body, out var value))
        {
            return TypedResults.Ok(value);
        }

        var detail = StringProperty(response.Body, "detail");
        return response.StatusCode switch
        {
            // A 404 without the app's title means the method itself is missing (version skew), not the analysis.
            StatusCodes.Status404NotFound when StringProperty(response.Body, "title") == "NotFound" => ApiProblems.Status(404, "The analysis is not known.", detail),
            StatusCodes.Status409Conflict => ApiProblems.Status(409, "The analysis already exists.", detail),
            StatusCodes.Status410Gone => ApiProblems.Status(410, "The analysis was deleted.", detail),
            StatusCodes.Status422UnprocessableEntity => ApiProblems.Invalid(new Dictionary<string, string[]> { ["body"] = [detail ?? "is invalid"] }, detail),
            StatusCodes.Status503ServiceUnavailable => ApiProblems.Unavailable(detail ?? $"A dependency of the {serviceName} service is unavailable; try again later."),
            _ => Unexpected(path, response.StatusCode),
        };
    }

    private ProblemHttpResult Unexpected(string path, int status)
    {
        logger.LogError("The {Service} method {Method} answered an unexpected {Status}", serviceName, path, status);
        return ApiProblems.Unavailable($"The {serviceName} service answered unexpectedly; try again later.");
    }

    private static string? StringProperty(JsonElement? body, string name) =>
        body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

    private static bool TryRead<T>(JsonElement? body, out T value)
        where T : class
    {
        value = null!;
        try
        {
            value = body?.Deserialize<T>(StateJson.Options)!;
            return value is not null;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
