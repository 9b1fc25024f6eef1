using System.Text.Json;
using Flame.Po.Api.Contracts;
using Flame.Po.Api.Errors;
using Flame.Po.Core;
using Flame.Po.Dapr.Invocation;
using Flame.Po.Dapr.State;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Api.Lifecycle;

/// <summary>
/// The lifecycle's methods as the Api calls them (service invocation; in process or through Dapr). Answers
/// pass through: 200 bodies typed, 404/409/422/503 as problems with the lifecycle's explanation. An answer the
/// Api does not expect is logged and reported as 503, since the caller did nothing wrong.
/// </summary>
public sealed class LifecycleGateway(IServiceInvoker invoker, ILogger<LifecycleGateway> logger)
{
    // Method paths of Flame.Po.Lifecycle.Commands.LifecycleInvocations (the Api does not reference the lifecycle).
    private const string CreatePath = "analyses/create";
    private const string StopPath = "analyses/stop";
    private const string DeletePath = "analyses/delete";
    private const string StatusPath = "analyses/status";
    private const string CleanupPath = "analyses/cleanup";
    private const string HistoryPath = "analyses/history";
    private const string LogsPath = "analyses/logs";
    private const string PodsPath = "analyses/pods";

    public Task<Results<Ok<Dictionary<string, string?>>, ProblemHttpResult>> CreateAsync(CreateAnalysisRequest request, CancellationToken ct) =>
        InvokeAsync<Dictionary<string, string?>>(CreatePath, request, ct);

    public Task<Results<Ok<Dictionary<string, string?>>, ProblemHttpResult>> StopAsync(AnalysisSelection selection, CancellationToken ct) =>
        InvokeAsync<Dictionary<string, string?>>(StopPath, selection, ct);

    public Task<Results<Ok<Dictionary<string, string?>>, ProblemHttpResult>> DeleteAsync(AnalysisSelection selection, CancellationToken ct) =>
        InvokeAsync<Dictionary<string, string?>>(DeletePath, selection, ct);

    public Task<Results<Ok<Dictionary<string, string?>>, ProblemHttpResult>> CleanupAsync(IReadOnlyList<string> types, CancellationToken ct) =>
        InvokeAsync<Dictionary<string, string?>>(CleanupPath, new { types }, ct);

    public Task<Results<Ok<Dictionary<string, LifecycleStatusView>>, ProblemHttpResult>> StatusAsync(AnalysisSelection selection, CancellationToken ct) =>
        InvokeAsync<Dictionary<string, LifecycleStatusView>>(StatusPath, selection, ct);

    public Task<Results<Ok<PodLogsResponse>, ProblemHttpResult>> HistoryAsync(AnalysisSelection selection, CancellationToken ct) =>
        InvokeAsync<PodLogsResponse>(HistoryPath, selection, ct);

    public Task<Results<Ok<PodLogsResponse>, ProblemHttpResult>> LogsAsync(AnalysisSelection selection, CancellationToken ct) =>
        InvokeAsync<PodLogsResponse>(LogsPath, selection, ct);

    public Task<Results<Ok<Dictionary<string, List<string>>>, ProblemHttpResult>> PodsAsync(AnalysisSelection selection, CancellationToken ct) =>
        InvokeAsync<Dictionary<string, List<string>>>(PodsPath, selection, ct);

    private async Task<Results<Ok<T>, ProblemHttpResult>> InvokeAsync<T>(string path, object body, CancellationToken ct)
        where T : class
    {
        InvocationResponse response;
        try
        {
            response = await invoker.InvokeAsync(AppIds.Lifecycle, new InvocationRequest(HttpMethod.Post, path, StateJson.ToElement(body)), ct);
        }
        catch (ServiceUnavailableException e)
        {
            logger.LogWarning("Lifecycle unavailable for {Method}: {Reason}", path, e.Message);
            return ApiProblems.Unavailable("The lifecycle service cannot be reached; try again later.");
        }

        if (response.IsSuccess && TryRead<T>(response.Body, out var value))
        {
            return TypedResults.Ok(value);
        }

        var detail = StringProperty(response.Body, "detail");
        return response.StatusCode switch
        {
            // A 404 without the lifecycle's title means the method itself is missing (version skew), not the analysis.
            StatusCodes.Status404NotFound when StringProperty(response.Body, "title") == "NotFound" => ApiProblems.Status(404, "The analysis is not known.", detail),
            StatusCodes.Status409Conflict => ApiProblems.Status(409, "The analysis already exists.", detail),
            StatusCodes.Status422UnprocessableEntity => ApiProblems.Invalid(new Dictionary<string, string[]> { ["body"] = [detail ?? "is invalid"] }, detail),
            StatusCodes.Status503ServiceUnavailable => ApiProblems.Unavailable(detail ?? "A dependency of the lifecycle is unavailable; try again later."),
            _ => Unexpected(path, response.StatusCode),
        };
    }

    private ProblemHttpResult Unexpected(string path, int status)
    {
        logger.LogError("Lifecycle method {Method} answered an unexpected {Status}", path, status);
        return ApiProblems.Unavailable("The lifecycle service answered unexpectedly; try again later.");
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
