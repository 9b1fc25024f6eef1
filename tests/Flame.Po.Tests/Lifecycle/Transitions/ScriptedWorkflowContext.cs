using Dapr.Workflow;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Flame.Po.Tests.Lifecycle.Transitions;

/// <summary>
/// A substitute <see cref="WorkflowContext"/>: activities answer from a script, timers fire at once (the clock jumps
/// to their due time), and every call is recorded, so a workflow's run can be checked without a sidecar.
/// </summary>
internal sealed class ScriptedWorkflowContext(Func<string, object?, object?> activities, DateTime start) : WorkflowContext
{
    private DateTime _now = start;

    public List<string> Calls { get; } = [];

    public List<object?> CustomStatuses { get; } = [];

    public List<object?> ActivityInputs { get; } = [];

    public List<DateTime> Timers { get; } = [];

    public List<WorkflowTaskOptions?> ActivityOptions { get; } = [];

    public object? ContinuedWith { get; private set; }

    public bool ContinuedAsNew { get; private set; }

    public override string Name => "test";

    public override string InstanceId => "test-instance";

    public override DateTime CurrentUtcDateTime => _now;

    public override bool IsReplaying => false;

    public override bool IsPatched(string patchName) => false;

    public override Task<T> CallActivityAsync<T>(string name, object? input = null, WorkflowTaskOptions? options = null)
    {
        Calls.Add(name);
        ActivityInputs.Add(input);
        ActivityOptions.Add(options);
        return Task.FromResult((T)activities(name, input)!);
    }

    public override Task CreateTimer(DateTime fireAt, CancellationToken cancellationToken)
    {
        Calls.Add("timer");
        Timers.Add(fireAt);
        if (fireAt > _now)
        {
            _now = fireAt;
        }

        return Task.CompletedTask;
    }

    public override Task<T> WaitForExternalEventAsync<T>(string eventName, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("transitions wait for no external event");

    public override void SendEvent(string instanceId, string eventName, object payload) =>
        throw new NotSupportedException("transitions send no event");

    public override void SetCustomStatus(object? customStatus) => CustomStatuses.Add(customStatus);

    public override Task<TResult> CallChildWorkflowAsync<TResult>(string workflowName, object? input = null, ChildWorkflowTaskOptions? options = null) =>
        throw new NotSupportedException("transitions start no child workflow");

    public override ILogger CreateReplaySafeLogger(string categoryName) => NullLogger.Instance;

    public override ILogger CreateReplaySafeLogger(Type type) => NullLogger.Instance;

    public override ILogger CreateReplaySafeLogger<T>() => NullLogger<T>.Instance;

    public override void ContinueAsNew(object? newInput = null, bool preserveUnprocessedEvents = true)
    {
        ContinuedAsNew = true;
        ContinuedWith = newInput;
    }

    public override Guid NewGuid() => Guid.Empty;

    public override PropagatedHistory? GetPropagatedHistory() => null;
}
