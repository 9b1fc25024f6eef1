using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Reconciler;

namespace Flame.Po.Tests.Lifecycle.Decision;

/// <summary>Records and observations for the decision tables; times are relative to <see cref="Now"/>.</summary>
internal static class DecisionFixtures
{
    public static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public static readonly LifecyclePolicy Policy = new()
    {
        StartupGrace = TimeSpan.FromMinutes(3),
        PendingTimeout = TimeSpan.FromMinutes(5),
        UnresponsiveTimeout = TimeSpan.FromMinutes(2),
        RestartBackoffBase = TimeSpan.FromSeconds(10),
        RestartBackoffMax = TimeSpan.FromMinutes(5),
    };

    public static AnalysisRecord Record(string status = AnalysisStatus.Starting, LifecyclePhase phase = LifecyclePhase.Active, int counter = 1) => new()
    {
        AnalysisId = "3f2b8c1e-6d4a-4e8b-9c7d-1a2b3c4d5e6f",
        ProjectId = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        RegistryUrl = "harbor.example.org",
        ImageUrl = "harbor.example.org/p/a:1",
        RequestFingerprint = "f",
        Status = status,
        Phase = phase,
        RestartCounter = counter,
        CreatedAt = Now.AddMinutes(-30),
        UpdatedAt = Now.AddMinutes(-1),
        DeployedAt = Now.AddMinutes(-10),
        ContainerStartedAt = status is AnalysisStatus.Starting ? null : Now.AddMinutes(-1),
        TokenRefreshAt = Now.AddHours(1),
    };

    /// <summary>The running record (container started 1 minute ago, within grace).</summary>
    public static AnalysisRecord Running(string status, int counter = 1) => Record(status, counter: counter);

    public static PodObservation RunningPod => new() { Phase = "Running", PodIp = "10.0.0.7", ContainerRunning = true };

    /// <summary>Every object present, pod and nginx running, with the given probe.</summary>
    public static AnalysisObservation Healthy(ProbeResult? probe) => new()
    {
        Present = DeploymentObjects.All,
        SecretsPresent = true,
        AnyObjectPresent = true,
        AnalysisPod = RunningPod,
        NginxReady = true,
        Probe = probe,
    };

    public static AnalysisObservation WithPod(PodObservation pod, DeploymentObjects present = DeploymentObjects.BeforeNginx) => new()
    {
        Present = present,
        SecretsPresent = true,
        AnyObjectPresent = true,
        AnalysisPod = pod,
    };
}
