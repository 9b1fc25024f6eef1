using Flame.Po.Lifecycle.Analyses;
using Flame.Po.Lifecycle.Reconciler;

namespace Flame.Po.Lifecycle.Transitions;

/// <summary>
/// Who carries out the steps of a transition. The reconciler decides a step and offers it here first: in Dapr mode
/// the transition's workflow takes it (<see cref="WorkflowTransitions"/>); in <c>--target all</c> nobody does
/// (<see cref="InlineTransitions"/>) and the reconciler runs the step itself with the same <see cref="StepExecutor"/>.
/// </summary>
public interface ITransitionDriver
{
    /// <summary>Whether transitions run elsewhere (workflows); false: the reconciler takes every step itself.</summary>
    bool RunsTransitions { get; }

    /// <summary>
    /// True when a workflow is in charge of <paramref name="action"/>; the reconciler then leaves the analysis alone.
    /// <paramref name="observedAt"/> is when the records and objects the decision saw were read.
    /// </summary>
    ValueTask<bool> HandOffAsync(AnalysisRecord record, LifecycleAction action, DateTimeOffset observedAt, CancellationToken cancellationToken);
}

/// <summary><c>--target all</c>: no workflow engine; the reconciler runs every step (docs/architecture.md#transitions).</summary>
public sealed class InlineTransitions : ITransitionDriver
{
    public bool RunsTransitions => false;

    public ValueTask<bool> HandOffAsync(AnalysisRecord record, LifecycleAction action, DateTimeOffset observedAt, CancellationToken cancellationToken) => ValueTask.FromResult(false);
}
