using Flame.Po.Api.Contracts;
using Flame.Po.Api.Invocation;
using Flame.Po.Core;
using Flame.Po.Dapr.Invocation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Api.Logging;

/// <summary>The logging service's methods as the Api calls them (service invocation; in process or through Dapr).</summary>
public sealed class LoggingGateway(IServiceInvoker invoker, ILogger<LoggingGateway> logger)
    : InvocationGateway(invoker, logger, AppIds.Logging, "logging")
{
    // Method path of Flame.Po.Logging.LoggingInvocations (the Api does not reference the logging service).
    private const string IngestPath = "logs/ingest";

    public Task<Results<Ok<IngestAnswer>, ProblemHttpResult>> IngestAsync(StreamLogsRequest line, string? idempotencyKey, CancellationToken ct) =>
        InvokeAsync<IngestAnswer>(
            IngestPath,
            new { line.AnalysisId, line.Log, line.LogType, line.Status, line.Progress, IdempotencyKey = idempotencyKey },
            ct);
}

/// <summary>The logging service's answer: <c>stored</c>, or <c>duplicate</c> for a recognised retry.</summary>
public sealed record IngestAnswer(string Result);
