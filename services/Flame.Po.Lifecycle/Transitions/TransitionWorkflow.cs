using Dapr.Workflow;
using Flame.Po.Lifecycle.Reconciler;

namespace Flame.Po.Lifecycle.Transitions;

/// <summary>
/// A transition as a Dapr workflow: ask <see cref="DecideTransitionStepActivity"/> for the next step, run the step's
/// activity, repeat until the transition is over. Waits inside a transition (the pod's IP address, the restart
/// back-off) are durable timers. The workflow decides nothing itself, so it is deterministic by construction: every
/// choice comes from an activity's recorded result.
/// </summary>
public abstract class TransitionWorkflow : Workflow<TransitionInput, TransitionResult>
{
    /// <summary>Decisions one run takes before it continues as new (keeps the history of a long pod-address wait small).</summary>
    public const int DecisionsPerRun = 100;

    /// <summary>Activities are retried on failure (the API server, Keycloak or the state store may be briefly away).</summary>
    public static readonly WorkflowTaskOptions ActivityOptions = new(new WorkflowRetryPolicy(
        maxNumberOfAttempts: 5,
        firstRetryInterval: TimeSpan.FromSeconds(1),
        backoffCoefficient: 2,
        maxRetryInterval: TimeSpan.FromSeconds(15)));

    /// <summary>Delays of consecutive waits for the cluster (pod address, node services): 0.25 s doubling to 5 s.</summary>
    public static TimeSpan WaitDelay(int consecutiveWaits) =>
        TimeSpan.FromMilliseconds(Math.Min(5_000, 250 * Math.Pow(2, Math.Min(consecutiveWaits, 5))));

    public override async Task<TransitionResult> RunAsync(WorkflowContext context, TransitionInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var steps = 0;
        var waits = 0;
        for (var decision = 0; decision < DecisionsPerRun; decision++)
        {
            var next = await context.CallActivityAsync<TransitionStep>(nameof(DecideTransitionStepActivity), input, ActivityOptions);
            switch (next.Kind)
            {
                case TransitionStepKind.Done:
                    context.SetCustomStatus(Progress(input, steps, null, "done", next.Why));
                    return new TransitionResult(steps, next.Why);
                case TransitionStepKind.Wait:
                    context.SetCustomStatus(Progress(input, steps, null, "waiting", next.Why));
                    var fireAt = next.Until is { } until ? until.UtcDateTime : context.CurrentUtcDateTime + WaitDelay(waits);
                    await context.CreateTimer(fireAt < context.CurrentUtcDateTime ? context.CurrentUtcDateTime : fireAt, CancellationToken.None);
                    waits++;
                    break;
                default:
                    steps++;
                    waits = 0;
                    context.SetCustomStatus(Progress(input, steps, next.Step, "running", next.Why));
                    await context.CallActivityAsync<StepOutcome>(ActivityNameOf(next.Step!), input, ActivityOptions);
                    break;
            }
        }

        context.ContinueAsNew(input);
        return new TransitionResult(steps, "continued as new");
    }

    /// <summary>The activity that carries out a step (<c>CreateObjects</c> → <c>CreateObjectsActivity</c>).</summary>
    public static string ActivityNameOf(string step) => step + "Activity";

    private static TransitionProgress Progress(TransitionInput input, int stepNumber, string? step, string state, string detail) =>
        new(input.Kind.ToString().ToLowerInvariant(), input.AnalysisId, input.Deployment, LifecyclePolicy.MaxDeployments, stepNumber, step, state, detail);
}

/// <summary>Starts a deployment: token Secret, NetworkPolicies, Deployment, Service, then nginx once the pod has an IP.</summary>
public sealed class StartDeploymentWorkflow : TransitionWorkflow;

/// <summary>Replaces a deployment: archive its logs, delete its objects, wait out the back-off, count up the deployment.</summary>
public sealed class RestartDeploymentWorkflow : TransitionWorkflow;

/// <summary>Stops or finishes an analysis: archive, delete its objects, delete the Keycloak client when due.</summary>
public sealed class StopAnalysisWorkflow : TransitionWorkflow;

/// <summary>Deletes an analysis: as a stop, then the Keycloak client and the record.</summary>
public sealed class DeleteAnalysisWorkflow : TransitionWorkflow;
