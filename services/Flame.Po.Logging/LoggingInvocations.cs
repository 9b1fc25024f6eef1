using Flame.Po.Core;
using Flame.Po.Dapr;
using Flame.Po.Dapr.Invocation;
using Flame.Po.Dapr.State;
using Flame.Po.Logging.Ingestion;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Flame.Po.Logging;

/// <summary>The logging service's methods for the Api (service invocation), bodies snake_case JSON.</summary>
public static class LoggingInvocations
{
    public const string Ingest = "logs/ingest";

    public static void Register(IServiceCollection services) =>
        services.AddInvocationMethod(AppIds.Logging, HttpMethod.Post, Ingest, async (sp, request, ct) =>
        {
            try
            {
                var result = await sp.GetRequiredService<LogIngestor>().IngestAsync(request.GetBody<StreamLogCommand>(), ct);
                return result == IngestResult.AnalysisDeleted
                    ? new InvocationResponse(410, StateJson.ToElement(new { title = "Gone", detail = "The analysis was deleted; its log lines are no longer accepted." }))
                    : InvocationResponse.Ok(new { result = result == IngestResult.Stored ? "stored" : "duplicate" });
            }
            catch (Exception error) when (error is NpgsqlException or TimeoutException or LogStoreUnavailableException)
            {
                return new InvocationResponse(503, StateJson.ToElement(new { title = "Unavailable", detail = "The log store is unavailable; try again later." }));
            }
        });
}
