namespace Flame.Po.Lifecycle.Transitions;

/// <summary>
/// The workflow classes of the transitions by kind. Registration is by Dapr.Workflow's source generator, which finds
/// every workflow and activity class of the assembly.
/// </summary>
public static class TransitionWorkflows
{
    public static string NameOf(TransitionKind kind) => kind switch
    {
        TransitionKind.Start => nameof(StartDeploymentWorkflow),
        TransitionKind.Restart => nameof(RestartDeploymentWorkflow),
        TransitionKind.Stop => nameof(StopAnalysisWorkflow),
        _ => nameof(DeleteAnalysisWorkflow),
    };
}
