using System.Globalization;
using Flame.Po.Core.Analyses;

namespace Flame.Po.IntegrationTests.Chaos;

/// <summary>What an analysis of the chaos run is: a Sandbox scenario, or a long analysis a user stops or deletes.</summary>
public enum ChaosScenario
{
    Ok,
    Stuck,
    Slow,
    PullError,
    Crashloop,
    Oom,
    UserStop,
    UserDelete,
}

/// <summary>The end an analysis must reach. <see cref="Status"/> null means "deleted and gone".</summary>
public sealed record ExpectedOutcome(string? Status, string ReasonPattern, int? RestartCounter = null, int? MinRestartCounter = null)
{
    /// <summary>What the Hub must show at the end: the terminal status (a deleted analysis was stopped first).</summary>
    public string HubStatus => Status ?? AnalysisStatus.Stopped;
}

/// <summary>One line the test streams itself over <c>/po/stream_logs</c>, at <see cref="At"/> after the start.</summary>
public sealed record PlannedLine(string AnalysisId, string Message, TimeSpan At, string? IdempotencyKey, bool ResendAfterAck);

/// <summary>One analysis of the plan: when it is created and, for user stops and deletes (and slow starts), when the user acts.</summary>
public sealed record PlannedAnalysis(string Id, ChaosScenario Scenario, string Image, TimeSpan CreateAt, TimeSpan? ActionAt)
{
    public ExpectedOutcome Expected => Scenario switch
    {
        ChaosScenario.Ok => new(AnalysisStatus.Executed, "^" + Escape(TransitionReasons.Finished) + "$"),
        // Ten deployments, each found stuck by the probe; the last restart is refused (docs/compatibility.md#restarts).
        ChaosScenario.Stuck => new(AnalysisStatus.Failed, @"^stuck: .*\[restart 10 of 10\]; no restarts left\.$", RestartCounter: 10),
        // Restarted as slow at least once (the driver waits for it), then stopped by the user.
        ChaosScenario.Slow => new(AnalysisStatus.Stopped, "^" + Escape(TransitionReasons.StoppedByUser) + "$", MinRestartCounter: 2),
        ChaosScenario.PullError => new(AnalysisStatus.Failed, "^(ErrImagePull|ImagePullBackOff)", RestartCounter: 1),
        ChaosScenario.Crashloop => new(AnalysisStatus.Failed, "^CrashLoopBackOff: ", RestartCounter: 1),
        ChaosScenario.Oom => new(AnalysisStatus.Failed, "^OOMKilled: ", RestartCounter: 1),
        ChaosScenario.UserStop => new(AnalysisStatus.Stopped, "^" + Escape(TransitionReasons.StoppedByUser) + "$"),
        _ => new(null, ""),
    };

    private static string Escape(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}

/// <summary>A host kill at <see cref="At"/>; the host is started again after <see cref="Downtime"/>.</summary>
public sealed record PlannedKill(TimeSpan At, TimeSpan Downtime);

/// <summary>
/// The seeded plan of one chaos run: analyses and their scenarios, user stops and deletes, lines streamed by the
/// test, host kills, the Hub outage window and the Kubernetes fault mix. The same seed and size give the same plan.
/// </summary>
public sealed record ChaosPlan
{
    public const int DefaultSeed = 20250911;
    public const int DefaultSize = 24;
    public const string SeedVariable = "FLAME_CHAOS_SEED";
    public const string SizeVariable = "FLAME_CHAOS_SIZE";
    private const string Prefix = "harbor.sandbox.local/sim/";

    /// <summary>Share of Kubernetes requests that fail during a chaos run: 10 %, the rate the README's Development section states.</summary>
    public const double KubernetesFaultRate = 0.10;

    public required int Seed { get; init; }
    public required int Size { get; init; }
    public required IReadOnlyList<PlannedAnalysis> Analyses { get; init; }
    public required IReadOnlyList<PlannedLine> Lines { get; init; }
    public required IReadOnlyList<PlannedKill> Kills { get; init; }
    public required TimeSpan OutageFrom { get; init; }
    public required TimeSpan OutageUntil { get; init; }

    /// <summary>Kills, user actions and streamed lines all happen before this; then the run only waits for the end.</summary>
    public required TimeSpan ChaosWindow { get; init; }

    /// <summary>How long the analyses may take to end after the chaos window.</summary>
    public TimeSpan SettleTimeout => TimeSpan.FromSeconds(120 + Size);

    /// <summary>The plan of <c>FLAME_CHAOS_SEED</c> and <c>FLAME_CHAOS_SIZE</c> (both modes), else the defaults.</summary>
    public static ChaosPlan FromEnvironment() => Create(
        ParseOr(Environment.GetEnvironmentVariable(SeedVariable), DefaultSeed),
        ParseOr(Environment.GetEnvironmentVariable(SizeVariable), DefaultSize));

    public static ChaosPlan Create(int seed, int size)
    {
        if (size < 8)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A chaos run needs at least 8 analyses (one of each kind).");
        }

        var random = new Random(seed);
        var createWindow = TimeSpan.FromSeconds(Math.Max(20, size * 0.3));
        var chaosWindow = createWindow + TimeSpan.FromSeconds(25);

        // Every kind at least once, the rest weighted; then shuffled so kinds are spread over the create window.
        var kinds = Enum.GetValues<ChaosScenario>().ToList();
        var weights = new (ChaosScenario Kind, int Weight)[]
        {
            (ChaosScenario.Ok, 34), (ChaosScenario.Stuck, 8), (ChaosScenario.Slow, 8), (ChaosScenario.PullError, 10),
            (ChaosScenario.Crashloop, 10), (ChaosScenario.Oom, 10), (ChaosScenario.UserStop, 10), (ChaosScenario.UserDelete, 10),
        };
        while (kinds.Count < size)
        {
            var pick = random.Next(weights.Sum(w => w.Weight));
            kinds.Add(weights.First(w => (pick -= w.Weight) < 0).Kind);
        }

        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(kinds));
        var analyses = kinds.Select(kind => Plan(random, kind, createWindow, chaosWindow)).OrderBy(a => a.CreateAt).ToList();

        var outageLength = TimeSpan.FromSeconds(Math.Clamp(createWindow.TotalSeconds / 2, 10, 30));
        var outageFrom = Between(random, TimeSpan.FromSeconds(8), chaosWindow - outageLength - TimeSpan.FromSeconds(5));
        var outageUntil = outageFrom + outageLength;

        // At least three kills, at least one of them during the Hub outage, preferably 12 s apart (a host takes several
        // seconds to start on a loaded machine; a kill may still hit one that is starting). Whole sets are drawn until
        // one is spread enough; after many tries the spacing drops to 3 s.
        var killCount = Math.Max(3, size / 40);
        var killTimes = new List<TimeSpan>();
        for (var tries = 0; killTimes.Count == 0; tries++)
        {
            var spacing = TimeSpan.FromSeconds(tries < 1000 ? 12 : 3);
            var set = new List<TimeSpan> { Between(random, outageFrom + TimeSpan.FromSeconds(1), outageUntil - TimeSpan.FromSeconds(1)) };
            for (var i = 1; i < killCount; i++)
            {
                set.Add(Between(random, TimeSpan.FromSeconds(4), chaosWindow - TimeSpan.FromSeconds(4)));
            }

            var ordered = set.Order().ToList();
            if (ordered.Zip(ordered.Skip(1)).All(pair => pair.Second - pair.First >= spacing))
            {
                killTimes = ordered;
            }
        }

        var kills = killTimes.Order().Select(at => new PlannedKill(at, TimeSpan.FromMilliseconds(random.Next(0, 2000)))).ToList();
        var lines = analyses
            .Where(a => a.Scenario != ChaosScenario.UserDelete && random.NextDouble() < 0.5)
            .SelectMany(a => PlanLines(random, a, chaosWindow))
            .OrderBy(l => l.At)
            .ToList();

        return new ChaosPlan
        {
            Seed = seed,
            Size = size,
            Analyses = analyses,
            Lines = lines,
            Kills = kills,
            OutageFrom = outageFrom,
            OutageUntil = outageUntil,
            ChaosWindow = chaosWindow,
        };
    }

    public string Reproduce => string.Create(CultureInfo.InvariantCulture, $"{SeedVariable}={Seed} {SizeVariable}={Size}");

    private static PlannedAnalysis Plan(Random random, ChaosScenario kind, TimeSpan createWindow, TimeSpan chaosWindow)
    {
        // The Sandbox runs at a time scale of 0.01: "1500s" takes 15 s.
        var image = kind switch
        {
            ChaosScenario.Ok => string.Create(CultureInfo.InvariantCulture, $"{Prefix}ok:runtime-{random.Next(300, 3000)}s_progress-{random.Next(2, 6)}"),
            ChaosScenario.Stuck => Prefix + "stuck",
            ChaosScenario.Slow => Prefix + "slow-start:delay-100000s",
            ChaosScenario.PullError => Prefix + "pull-error",
            ChaosScenario.Crashloop => Prefix + "crashloop",
            ChaosScenario.Oom => Prefix + "oom",
            _ => Prefix + "ok:runtime-1000000s_progress-4",
        };
        var createAt = Between(random, TimeSpan.Zero, createWindow);
        TimeSpan? actionAt = kind is ChaosScenario.UserStop or ChaosScenario.UserDelete
            ? Between(random, createAt, chaosWindow - TimeSpan.FromSeconds(2))
            : null;
        return new PlannedAnalysis(NewId(random), kind, image, createAt, actionAt);
    }

    private static IEnumerable<PlannedLine> PlanLines(Random random, PlannedAnalysis analysis, TimeSpan chaosWindow)
    {
        var count = random.Next(3, 9);
        var last = analysis.ActionAt ?? chaosWindow;
        for (var n = 1; n <= count; n++)
        {
            var keyed = random.NextDouble() < 0.5;
            var at = Between(random, analysis.CreateAt + TimeSpan.FromMilliseconds(500), last);
            var message = string.Create(CultureInfo.InvariantCulture, $"chaos-line {analysis.Id[..8]} #{n} {(keyed ? "keyed" : "plain")}");
            yield return new PlannedLine(analysis.Id, message, at, keyed ? string.Create(CultureInfo.InvariantCulture, $"chaos-{analysis.Id[..8]}-{n}") : null, keyed && random.NextDouble() < 0.5);
        }
    }

    private static TimeSpan Between(Random random, TimeSpan from, TimeSpan to) =>
        to <= from ? from : from + TimeSpan.FromMilliseconds(random.NextDouble() * (to - from).TotalMilliseconds);

    private static string NewId(Random random)
    {
        var bytes = new byte[16];
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes).ToString();
    }

    private static int ParseOr(string? text, int fallback) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
