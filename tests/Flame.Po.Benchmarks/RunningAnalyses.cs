using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Flame.Po.Core.Analyses;
using Flame.Po.Core.Contracts;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Commands;
using Flame.Po.Lifecycle.Reconciler;

namespace Flame.Po.Benchmarks;

/// <summary>
/// Brings a <see cref="BenchmarkHost"/> to N running analyses: creates them through the lifecycle's commands,
/// drives status-loop ticks one at a time until every analysis is <c>executing</c> (or <c>started</c>, for the
/// silent ones), then waits until the commands' follow-up reconciles are done. The host must run with
/// <see cref="HostSettings"/>, so that its own loop does not tick and nothing is restarted meanwhile.
/// </summary>
public static class RunningAnalyses
{
    public const string RunningImage = "harbor.sandbox.local/sim/ok:runtime-1000000s";
    public const string ProjectId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";

    /// <summary>
    /// The status loop ticks only when driven. No restarts while a scenario measures: silent analyses must stay
    /// "started", and an answering one whose probes time out because the simulator shares the CPU must not be
    /// redeployed (unresponsive restart).
    /// </summary>
    public static IReadOnlyDictionary<string, string?> HostSettings { get; } = new Dictionary<string, string?>
    {
        ["STATUS_LOOP_INTERVAL"] = "3600",
        ["STARTUP_GRACE"] = "1000000",
        ["UNRESPONSIVE_TIMEOUT"] = "1000000",
        ["HEALTHZ_TIMEOUT"] = "2",
    };

    /// <summary>Creates <paramref name="size"/> analyses, the first <paramref name="silent"/> of them with <paramref name="silentImage"/>.</summary>
    /// <returns>Their ids and the seconds the set-up took.</returns>
    public static async Task<(IReadOnlyList<string> AnalysisIds, double SetupSeconds)> StartAsync(BenchmarkHost host, int size, int silent = 0, string? silentImage = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        var commands = host.Get<AnalysisCommands>();
        var reconciler = host.Get<AnalysisReconciler>();
        var repository = host.Get<AnalysisRepository>();
        var ids = Enumerable.Range(0, size).Select(_ => Guid.NewGuid().ToString()).ToList();

        var setup = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, size), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var image = i < silent ? silentImage ?? throw new ArgumentNullException(nameof(silentImage)) : RunningImage;
            var outcome = await commands.CreateAsync(Create(ids[i], image), ct);
            if (outcome.Kind != CommandOutcomeKind.Accepted)
            {
                throw new InvalidOperationException($"Creating analysis {ids[i]} failed: {outcome.Kind} {outcome.Problem}");
            }
        });
        while (true)
        {
            var setupTick = await reconciler.ReconcileAllAsync(CancellationToken.None);
            var records = await repository.ListAsync(activeOnly: true, CancellationToken.None);
            var executing = records.Count(r => r.Record.Status == AnalysisStatus.Executing);
            var started = records.Count(r => r.Record.Status == AnalysisStatus.Started);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  setup {setup.Elapsed.TotalSeconds:F0} s: tick {setupTick.Duration.TotalMilliseconds:F0} ms, {setupTick.Probed} probed, {setupTick.Steps} steps; {executing} executing, {started} started; {host.Sandbox.Objects.List("pods", host.Sandbox.Namespace).Count} pods"));
            if (executing == size - silent && started == silent)
            {
                break;
            }

            if (setup.Elapsed > TimeSpan.FromMinutes(20))
            {
                throw new TimeoutException($"Only {executing} executing and {started} started of {size} after 20 minutes.");
            }
        }

        // Creates ask for their analysis to be advanced right away; those follow-ups are command work, not part of
        // a tick, so a measurement starts once none is left (they list by label and would count as the tick's).
        var followUps = host.Get<ReconcileRequests>();
        while (followUps.Pending > 0)
        {
            await Task.Delay(100);
        }

        return (ids, setup.Elapsed.TotalSeconds);
    }

    /// <summary>The body of <c>POST /po/</c>, shaped as the API tests send it.</summary>
    public static JsonObject CreateBody(string analysisId, string image) => new()
    {
        ["analysis_id"] = analysisId,
        ["project_id"] = ProjectId,
        ["registry_url"] = "harbor.sandbox.local",
        ["image_url"] = image,
        ["registry_user"] = "robot$bench",
        ["registry_password"] = "registry-password",
        ["kong_token"] = "none_needed",
    };

    private static CreateAnalysisCommand Create(string analysisId, string image) => new()
    {
        AnalysisId = analysisId,
        ProjectId = ProjectId,
        RegistryUrl = "harbor.sandbox.local",
        ImageUrl = image,
        RegistryUser = "robot$bench",
        RegistryPassword = "bench",
        KongToken = "none_needed",
    };
}
