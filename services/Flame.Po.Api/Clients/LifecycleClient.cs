using Flame.Po.Api.Contracts;
using Flame.Po.Api.Errors;
using Flame.Po.Core;
using Flame.Po.Core.Contracts;
using Flame.Po.Dapr.Invocation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Api.Clients;

/// <summary>
/// The lifecycle's internal routes (<see cref="LifecycleRoutes"/>) as the Api calls them: a typed HTTP client, through
/// the Dapr sidecar or the host's own local channel. Answers become the Api's results in one place
/// (<see cref="ApiProblems.From"/>).
/// </summary>
public sealed class LifecycleClient(HttpClient http, ILogger<LifecycleClient> logger) : ServiceClient(http, logger, AppIds.Lifecycle)
{
    public async Task<Results<Ok<Dictionary<string, string?>>, ProblemHttpResult>> CreateAsync(CreateAnalysisRequest request, CancellationToken ct) =>
        ApiProblems.From(await PostAsync<Dictionary<string, string?>>(LifecycleRoutes.Create, request.ToCommand(), ct), AppIds.Lifecycle);

    public async Task<Results<Ok<Dictionary<string, string?>>, ProblemHttpResult>> StopAsync(AnalysisSelection selection, CancellationToken ct) =>
        ApiProblems.From(await PostAsync<Dictionary<string, string?>>(LifecycleRoutes.Stop, selection, ct), AppIds.Lifecycle);

    public async Task<Results<Ok<Dictionary<string, string?>>, ProblemHttpResult>> DeleteAsync(AnalysisSelection selection, CancellationToken ct) =>
        ApiProblems.From(await PostAsync<Dictionary<string, string?>>(LifecycleRoutes.Delete, selection, ct), AppIds.Lifecycle);

    public async Task<Results<Ok<Dictionary<string, string?>>, ProblemHttpResult>> CleanupAsync(IReadOnlyList<string> types, CancellationToken ct) =>
        ApiProblems.From(await PostAsync<Dictionary<string, string?>>(LifecycleRoutes.Cleanup, new CleanupSelection(types), ct), AppIds.Lifecycle);

    public async Task<Results<Ok<Dictionary<string, AnalysisStatusView>>, ProblemHttpResult>> StatusAsync(AnalysisSelection selection, CancellationToken ct) =>
        ApiProblems.From(await GetAsync<Dictionary<string, AnalysisStatusView>>(LifecycleRoutes.For(LifecycleRoutes.Status, selection.OnlyId), ct), AppIds.Lifecycle);

    public async Task<Results<Ok<PodLogsResponse>, ProblemHttpResult>> HistoryAsync(AnalysisSelection selection, CancellationToken ct) =>
        ApiProblems.From(await GetAsync<PodLogsResponse>(LifecycleRoutes.For(LifecycleRoutes.History, selection.OnlyId), ct), AppIds.Lifecycle);

    public async Task<Results<Ok<PodLogsResponse>, ProblemHttpResult>> LogsAsync(AnalysisSelection selection, CancellationToken ct) =>
        ApiProblems.From(await GetAsync<PodLogsResponse>(LifecycleRoutes.For(LifecycleRoutes.Logs, selection.OnlyId), ct), AppIds.Lifecycle);

    public async Task<Results<Ok<Dictionary<string, List<string>>>, ProblemHttpResult>> PodsAsync(AnalysisSelection selection, CancellationToken ct) =>
        ApiProblems.From(await GetAsync<Dictionary<string, List<string>>>(LifecycleRoutes.For(LifecycleRoutes.Pods, selection.OnlyId), ct), AppIds.Lifecycle);
}
