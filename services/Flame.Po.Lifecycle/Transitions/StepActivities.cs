using Dapr.Workflow;
using Flame.Po.Lifecycle.Reconciler;
using Microsoft.Extensions.Hosting;

using static Flame.Po.Lifecycle.Reconciler.LifecycleAction;

namespace Flame.Po.Lifecycle.Transitions;

/// <summary>
/// One activity per step of a transition, named after the <see cref="LifecycleAction"/> it carries out
/// (<c>CreateObjectsActivity</c> runs <see cref="CreateObjects"/>): the workflow history and the custom status name
/// the step, and a crash test can stop the process inside any one of them.
/// </summary>
public abstract class StepActivity<TAction>(TransitionSteps steps, IHostApplicationLifetime lifetime) : WorkflowActivity<TransitionInput, StepOutcome>
    where TAction : LifecycleAction
{
    public override Task<StepOutcome> RunAsync(WorkflowActivityContext context, TransitionInput input)
    {
        ArgumentNullException.ThrowIfNull(context);
        return steps.ApplyAsync(input, typeof(TAction).Name, context.InstanceId, lifetime.ApplicationStopping);
    }
}

public sealed class RefreshTokenActivity(TransitionSteps steps, IHostApplicationLifetime lifetime) : StepActivity<RefreshToken>(steps, lifetime);

public sealed class CreateObjectsActivity(TransitionSteps steps, IHostApplicationLifetime lifetime) : StepActivity<CreateObjects>(steps, lifetime);

public sealed class DeleteStaleObjectsActivity(TransitionSteps steps, IHostApplicationLifetime lifetime) : StepActivity<DeleteStaleObjects>(steps, lifetime);

public sealed class ArchiveDeploymentActivity(TransitionSteps steps, IHostApplicationLifetime lifetime) : StepActivity<ArchiveDeployment>(steps, lifetime);

public sealed class DeleteDeploymentObjectsActivity(TransitionSteps steps, IHostApplicationLifetime lifetime) : StepActivity<DeleteDeploymentObjects>(steps, lifetime);

public sealed class RedeployActivity(TransitionSteps steps, IHostApplicationLifetime lifetime) : StepActivity<Redeploy>(steps, lifetime);

public sealed class DeleteAllObjectsActivity(TransitionSteps steps, IHostApplicationLifetime lifetime) : StepActivity<DeleteAllObjects>(steps, lifetime);

public sealed class DeleteKeycloakClientActivity(TransitionSteps steps, IHostApplicationLifetime lifetime) : StepActivity<DeleteKeycloakClient>(steps, lifetime);

public sealed class CompleteActivity(TransitionSteps steps, IHostApplicationLifetime lifetime) : StepActivity<Complete>(steps, lifetime);

public sealed class ForgetActivity(TransitionSteps steps, IHostApplicationLifetime lifetime) : StepActivity<Forget>(steps, lifetime);
