using Flame.Po.IntegrationTests.Support;
using Flame.Po.Lifecycle.Analyses;
using Flame.Sandbox;

namespace Flame.Po.IntegrationTests.Chaos;

/// <summary>How the PO under test runs in a chaos run.</summary>
public enum ChaosMode
{
    /// <summary>One process, <c>--target all</c>: embedded building blocks, records in PostgreSQL's <c>state</c> table.</summary>
    AllInOne,

    /// <summary>
    /// Dapr mode as three processes (<c>--target api|lifecycle|logging</c>), each with a simulated sidecar: records in the
    /// simulator's state store, events through its broker, transitions as workflows on its engine.
    /// </summary>
    ThreeProcess,
}

/// <summary>The end of one workflow instance of the lifecycle, as its engine reports it.</summary>
public sealed record WorkflowEnd(string InstanceId, string WorkflowName, string RuntimeStatus, string? FailureMessage);

/// <summary>
/// The PO under test in a chaos run, with what surrounds it (Sandbox, PostgreSQL), whatever its <see cref="ChaosMode"/>:
/// <see cref="ChaosRun"/> drives it over its public API, kills it, and reads the facts the invariants judge from where
/// they live in that mode — so both modes are judged on the same facts.
/// </summary>
public interface IChaosTarget : IAsyncDisposable
{
    ChaosMode Mode { get; }

    /// <summary>Kubernetes, Keycloak and the Hub.</summary>
    SandboxServer Sandbox { get; }

    /// <summary>The PO's PostgreSQL database: log lines, archive and Hub outbox in both modes.</summary>
    TestDatabase Database { get; }

    /// <summary>The analysis records, read from where they live in this mode (never written by the test).</summary>
    AnalysisRepository Records { get; }

    /// <summary>The PO's public API (<c>/po</c>), where the Hub adapter and the analyses call it.</summary>
    Uri BaseAddress { get; }

    /// <summary>The kills so far, in order.</summary>
    IReadOnlyList<HostKill> Kills { get; }

    /// <summary>The last lines of every process the run killed, and of the running ones, for a failure message.</summary>
    string Outputs { get; }

    /// <summary>
    /// Carries out the <paramref name="index"/>-th kill of the plan at <paramref name="at"/> (run time): SIGKILL (no
    /// shutdown, no flush), then after <paramref name="downtime"/> a fresh process on the same port (and sidecar); waits
    /// until <paramref name="readyBy"/> (UTC) for it to be ready. One not ready by then is left starting (the next kill
    /// may hit it while it starts); with <paramref name="mustBeReady"/> that is a failure.
    /// </summary>
    Task<HostKill> KillAndRestartAsync(int index, TimeSpan at, TimeSpan downtime, DateTime readyBy, bool mustBeReady);

    /// <summary>
    /// Waits until the PO has nothing left to tell the Hub: no event in flight between the lifecycle and logging, no
    /// Hub row behind. <see cref="TimeoutException"/> when it does not drain in time.
    /// </summary>
    Task WaitForDrainedAsync(TimeSpan timeout);

    /// <summary>
    /// The workflow instances of the lifecycle once none is running any more (or <paramref name="wait"/> is over);
    /// null when this mode has no workflow engine.
    /// </summary>
    Task<IReadOnlyList<WorkflowEnd>?> WorkflowsAsync(TimeSpan wait);
}
