using Flame.Po.Api.Auth;
using Flame.Po.Api.Clients;
using Flame.Po.Api.Contracts;
using Flame.Po.Api.Errors;
using Flame.Po.Api.Validation;
using Flame.Po.Core.Contracts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Flame.Po.Api.Endpoints;

/// <summary>
/// <c>POST /po/stream_logs</c>: log lines, status and progress from analysis containers. Only analysis tokens are
/// accepted, and only for their own analysis id (docs/compatibility.md#b18). Answers <c>null</c> like the old
/// service, also for a recognised retry, so clients that retry see the same answer.
/// </summary>
public static class StreamLogsApi
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static RouteHandlerBuilder MapStreamLogsApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/po/stream_logs", StreamAsync)
            .RequireAuthorization(ApiPolicies.AnalysisClient)
            .WithTags("logs")
            .WithName("StreamLogs")
            .WithSummary("Ingest a log line, status and progress of the calling analysis")
            .WithDescription(
                "For analysis tokens only, and only for the analysis the token was issued to. A retry is stored once: send the same "
                + "Idempotency-Key header, or re-send the identical line within LOG_RETRY_WINDOW. Answers null.")
            .Accepts<StreamLogsRequest>("application/json")
            .Produces<object>(StatusCodes.Status200OK, "application/json")
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> StreamAsync(
        HttpRequest request, [AsParameters] StreamLogsServices services, CancellationToken ct)
    {
        var (body, problem) = await BoundedJsonBody.ReadAsync(request, StreamLogsLimits.BodyBytes, ct);
        if (problem is not null)
        {
            return problem;
        }

        var (line, errors) = StreamLogsValidator.Validate(body!.Value);
        if (line is null)
        {
            return ApiProblems.Invalid(errors);
        }

        if (!(await services.Authorization.AuthorizeAsync(request.HttpContext.User, line.AnalysisId, AnalysisOwnerRequirement.Instance)).Succeeded)
        {
            return ApiProblems.Status(StatusCodes.Status403Forbidden, "Forbidden.", "An analysis may only send log lines for itself.");
        }

        var key = request.Headers[IdempotencyKeyHeader].ToString();
        if (key.Length > StreamLogsLimits.IdempotencyKey || key.Any(c => c is < '!' or > '~'))
        {
            return ApiProblems.Invalid(new Dictionary<string, string[]>
            {
                [IdempotencyKeyHeader] = [$"must be at most {StreamLogsLimits.IdempotencyKey} visible ASCII characters"],
            });
        }

        var result = await services.Logging.IngestAsync(line, key.Length == 0 ? null : key, ct);
        return result.Result switch
        {
            Ok<IngestAnswer> => TypedResults.Content("null", "application/json"),
            ProblemHttpResult failed => failed,
            _ => throw new InvalidOperationException("The logging client returned an unknown result."),
        };
    }
}

/// <summary>What <see cref="StreamLogsApi.StreamAsync"/> needs from the container.</summary>
public readonly record struct StreamLogsServices(IAuthorizationService Authorization, LoggingClient Logging);
