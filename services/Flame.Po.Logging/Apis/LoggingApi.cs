using Flame.Po.Core.Contracts;
using Flame.Po.Dapr.Invocation;
using Flame.Po.Logging.Ingestion;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Npgsql;

namespace Flame.Po.Logging.Apis;

/// <summary>
/// The logging service's internal route (<see cref="LoggingRoutes"/>), for the Api only: reachable on the app
/// channel. A line of a deleted analysis is a 410; an unavailable log store a 503.
/// </summary>
public static class LoggingApi
{
    public static RouteHandlerBuilder MapLoggingApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost(LoggingRoutes.Ingest, IngestAsync).RequireAppChannel().ExcludeFromDescription();

    public static async Task<Results<Ok<IngestAnswer>, ProblemHttpResult>> IngestAsync(StreamLogCommand line, LogIngestor ingestor, CancellationToken ct)
    {
        try
        {
            var result = await ingestor.IngestAsync(line, ct);
            return result == IngestResult.AnalysisDeleted
                ? ServiceResults.Problem(ServiceProblemKind.Gone, "The analysis was deleted; its log lines are no longer accepted.")
                : TypedResults.Ok(IngestAnswer.Of(result));
        }
        catch (Exception error) when (error is NpgsqlException or TimeoutException or LogStoreUnavailableException)
        {
            return ServiceResults.Problem(ServiceProblemKind.Unavailable, "The log store is unavailable; try again later.");
        }
    }
}
