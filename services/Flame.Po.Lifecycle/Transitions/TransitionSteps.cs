using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Lifecycle.Commands;
using Flame.Po.Lifecycle.Reconciler;
using Flame.Po.ServiceDefaults.Logging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using static Flame.Po.Lifecycle.Reconciler.LifecycleAction;

namespace Flame.Po.Lifecycle.Transitions;

/// <summary>
/// What the activities of a transition workflow do: read the record and the analysis' objects, let
/// <see cref="LifecycleDecision.Decide"/> choose, and carry out the chosen step with the same
/// <see cref="StepExecutor"/> the reconciler uses in <c>--target all</c>. A step runs only while it is still the
/// decided one, so an activity run again after a crash (at-least-once) does nothing twice.
/// </summary>
public sealed class TransitionSteps(
    AnalysisRepository repository,
    ClusterConnection cluster,
    StepExecutor executor,
    EventOutbox outbox,
    ReconcileRequests followUps,
    IOptions<LifecycleSettings> settings,
    TimeProvider timeProvider,
    ILogger<TransitionSteps> logger)
{
    public async Task<TransitionStep> DecideAsync(TransitionInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var state = await LoadAsync(input, cancellationToken);
        if (state.Superseded is { } why)
        {
            return TransitionStep.Done(why);
        }

        var action = state.Action!;
        if (TransitionPlan.IsStep(input.Kind, action))
        {
            return TransitionStep.Run(action.GetType().Name, action.ToString());
        }

        return action switch
        {
            Wait wait when TransitionPlan.SleepsThrough(input.Kind, wait) => TransitionStep.Sleep(wait.Why, wait.Until),
            Wait wait => TransitionStep.Done(wait.Why),
            _ => TransitionStep.Done($"the next step, {action.GetType().Name}, is not part of this transition"),
        };
    }

    public async Task<StepOutcome> ApplyAsync(TransitionInput input, string step, string workflowInstance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var state = await LoadAsync(input, cancellationToken);
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["analysis_id"] = input.AnalysisId,
            ["workflow_instance"] = workflowInstance,
            ["action"] = step,
        });
        if (state.Superseded is not null || state.Action!.GetType().Name != step)
        {
            logger.LogInformation(LogEvents.Action, "Analysis {AnalysisId}: {Step} is no longer due ({Why}); nothing to do", input.AnalysisId, step, state.Superseded ?? $"decided {state.Action}");
            return StepOutcome.Superseded;
        }

        var stored = state.Stored!;
        logger.LogInformation(LogEvents.Action, "Analysis {AnalysisId} ({Status}, {Phase}): {Step}", input.AnalysisId, stored.Record.Status, stored.Record.Phase, state.Action);
        var (next, _) = await executor.ApplyAsync(stored, state.Observation!, state.Action, state.View!, cancellationToken);
        if (next is not null)
        {
            await outbox.FlushAsync(next, cancellationToken);
        }

        if (state.Action is Redeploy)
        {
            // The next deployment's start is a transition of its own; the follow-up starts it now, not a tick later.
            followUps.Enqueue(input.AnalysisId);
        }

        return StepOutcome.Applied;
    }

    private async Task<LoadedState> LoadAsync(TransitionInput input, CancellationToken cancellationToken)
    {
        var stored = await repository.GetAsync(input.AnalysisId, cancellationToken);
        if (stored is null || TransitionPlan.Incarnation(stored.Record) != input.Incarnation)
        {
            return LoadedState.Over("the analysis is gone");
        }

        var record = stored.Record;
        if (TransitionPlan.InFlight(record) != input.Kind
            || (input.Kind is TransitionKind.Start or TransitionKind.Restart && record.RestartCounter != input.Deployment))
        {
            return LoadedState.Over($"the analysis moved on ({record.Status}, {record.Phase}, deployment {record.RestartCounter})");
        }

        var view = new ClusterView(await ClusterSnapshot.LoadAsync(cluster.Client, cluster.Namespace, input.AnalysisId, cancellationToken));
        var observation = view.Observe(record, probe: null);
        var action = LifecycleDecision.Decide(record, observation, timeProvider.GetUtcNow(), settings.Value.ToPolicy());
        return new LoadedState(null, stored, view, observation, action);
    }

    private sealed record LoadedState(string? Superseded, StoredAnalysis? Stored, ClusterView? View, AnalysisObservation? Observation, LifecycleAction? Action)
    {
        public static LoadedState Over(string why) => new(why, null, null, null, null);
    }
}
