using Flame.Po.Api.Contracts;
using Flame.Po.Api.Errors;
using Flame.Po.Core;
using Flame.Po.Core.Contracts;
using Flame.Po.Dapr.Invocation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Api.Clients;

/// <summary>The logging service's internal route (<see cref="LoggingRoutes"/>) as the Api calls it.</summary>
public sealed class LoggingClient(HttpClient http, ILogger<LoggingClient> logger) : ServiceClient(http, logger, AppIds.Logging)
{
    public async Task<Results<Ok<IngestAnswer>, ProblemHttpResult>> IngestAsync(StreamLogsRequest line, string? idempotencyKey, CancellationToken ct)
    {
        var command = new StreamLogCommand
        {
            AnalysisId = line.AnalysisId,
            Log = line.Log,
            LogType = line.LogType,
            Status = line.Status,
            Progress = line.Progress,
            IdempotencyKey = idempotencyKey,
        };
        return ApiProblems.From(await PostAsync<IngestAnswer>(LoggingRoutes.Ingest, command, ct), AppIds.Logging);
    }
}
