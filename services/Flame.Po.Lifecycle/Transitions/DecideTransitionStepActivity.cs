using Dapr.Workflow;
using Microsoft.Extensions.Hosting;

namespace Flame.Po.Lifecycle.Transitions;

/// <summary>Reads the record and the analysis' objects and asks the decision function for the transition's next step.</summary>
public sealed class DecideTransitionStepActivity(TransitionSteps steps, IHostApplicationLifetime lifetime) : WorkflowActivity<TransitionInput, TransitionStep>
{
    public override Task<TransitionStep> RunAsync(WorkflowActivityContext context, TransitionInput input) =>
        steps.DecideAsync(input, lifetime.ApplicationStopping);
}
