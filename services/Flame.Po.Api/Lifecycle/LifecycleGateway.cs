using Flame.Po.Api.Contracts;
using Flame.Po.Api.Invocation;
using Flame.Po.Core;
using Flame.Po.Dapr.Invocation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Api.Lifecycle;

/// <summary>
/// The lifecycle's methods as the Api calls them (service invocation; in process or through Dapr). Answers
/// pass through: 200 bodies typed, 404/409/422/503 as problems with the lifecycle's explanation. An answer the
/// Api does not expect is logged and reported as 503, since the caller did nothing wrong (<see cref="InvocationGateway"/>).
/// </summary>
public sealed class LifecycleGateway(IServiceInvoker invoker, ILogger<LifecycleGateway> logger)
    : InvocationGateway(invoker, logger, AppIds.Lifecycle, "lifecycle")
{
    // Method paths of Flame.Po.Lifecycle.Commands.LifecycleInvocations (the Api does not reference the lifecycle).
    private const string CreatePath = "analyses/create";
    private const string StopPath = "analyses/stop";
    private const string DeletePath = "analyses/delete";
    private const string StatusPath = "analyses/status";
    private const string CleanupPath = "analyses/cleanup";

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
}
