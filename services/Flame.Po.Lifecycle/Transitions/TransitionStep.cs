using System.Text.Json.Serialization;

namespace Flame.Po.Lifecycle.Transitions;

/// <summary>What a transition does next, as decided by <see cref="DecideTransitionStepActivity"/>.</summary>
public sealed record TransitionStep(TransitionStepKind Kind, string? Step, string Why, DateTimeOffset? Until = null)
{
    public static TransitionStep Run(string step, string why) => new(TransitionStepKind.Run, step, why);

    public static TransitionStep Sleep(string why, DateTimeOffset? until) => new(TransitionStepKind.Wait, null, why, until);

    public static TransitionStep Done(string why) => new(TransitionStepKind.Done, null, why);
}

[JsonConverter(typeof(JsonStringEnumConverter<TransitionStepKind>))]
public enum TransitionStepKind
{
    /// <summary>Run the activity named <see cref="TransitionStep.Step"/>.</summary>
    Run,

    /// <summary>Sleep (a durable timer) until <see cref="TransitionStep.Until"/> or for a growing delay, then decide again.</summary>
    Wait,

    /// <summary>The transition is over: its last step ran, or the record moved on (another transition, deleted).</summary>
    Done,
}

/// <summary>What a step activity did.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StepOutcome>))]
public enum StepOutcome
{
    Applied,

    /// <summary>The step was no longer the decided one (done by an earlier, interrupted run, or the record moved on).</summary>
    Superseded,
}

/// <summary>
/// The custom status of a transition workflow, readable through the sidecar's workflow API: the transition, the
/// deployment (attempt <see cref="Deployment"/> of <see cref="MaxDeployments"/>), the step and what it waits for.
/// </summary>
public sealed record TransitionProgress(string Transition, string AnalysisId, int Deployment, int MaxDeployments, int StepNumber, string? Step, string State, string Detail);

/// <summary>The output of a transition workflow.</summary>
public sealed record TransitionResult(int Steps, string Outcome);
