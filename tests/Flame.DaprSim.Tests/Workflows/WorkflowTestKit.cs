using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

using Dapr.Workflow;

using Flame.DaprSim.Sidecars;
using Flame.DaprSim.Tests.Support;

using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Flame.DaprSim.Tests.Workflows;

/// <summary>What the test workflows and activities report, and the gates the tests open for them.</summary>
public sealed class Probe
{
    public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    public ConcurrentQueue<string> ExecutionKeys { get; } = new();

    /// <summary>Completed only by a test; an activity waiting on it blocks until then (or for ever).</summary>
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Count(string name) => Calls.GetValueOrDefault(name);

    public int Hit(string name) => Calls.AddOrUpdate(name, 1, (_, n) => n + 1);
}

/// <summary>A simulator with one app (<c>wf</c>) and the worker hosts (the app's Dapr.Workflow worker and client) of a test.</summary>
public sealed class WorkflowTestKit : IAsyncDisposable
{
    private readonly List<IHost> _hosts = [];

    private WorkflowTestKit(DaprSimulator sim)
    {
        Simulator = sim;
    }

    public DaprSimulator Simulator { get; }

    public Sidecar Sidecar => Simulator.Sidecar("wf");

    public static async Task<WorkflowTestKit> StartAsync(string? apiToken = null) =>
        new(await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(Sim.StateStore), Sim.App("wf", FreePort(), apiToken: apiToken))));

    /// <summary>Starts a worker host (the real Dapr.Workflow worker) for the app, pointed at the sidecar as the product's apps are.</summary>
    public async Task<IHost> StartWorkerAsync(Probe probe, string? token = null, bool waitConnected = true)
    {
        var before = Simulator.WorkflowEngine("wf").Hub.Connections;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DAPR_GRPC_ENDPOINT"] = $"http://127.0.0.1:{Sidecar.GrpcPort}",
            ["DAPR_HTTP_ENDPOINT"] = $"http://127.0.0.1:{Sidecar.HttpPort}",
            ["DAPR_API_TOKEN"] = token ?? Sidecar.ApiToken,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(probe);
        builder.Services.AddDaprWorkflow(o =>
        {
            o.RegisterWorkflow<SequenceWorkflow>();
            o.RegisterWorkflow<RetryWorkflow>();
            o.RegisterWorkflow<TimerWorkflow>();
            o.RegisterWorkflow<ApprovalWorkflow>();
            o.RegisterWorkflow<BlockingWorkflow>();
            o.RegisterActivity<ShoutActivity>();
            o.RegisterActivity<FlakyActivity>();
            o.RegisterActivity<BlockingActivity>();
        });
        var host = builder.Build();
        await host.StartAsync();
        _hosts.Add(host);
        if (waitConnected)
        {
            await Sim.Until(() => Simulator.WorkflowEngine("wf").Hub.Connections > before, "worker connected");
        }

        return host;
    }

    public static DaprWorkflowClient Client(IHost host) => host.Services.GetRequiredService<DaprWorkflowClient>();

    /// <summary>Stops a worker host the hard way, as a killed app: its stream ends, nothing it held is completed.</summary>
    public async Task KillAsync(IHost host)
    {
        _hosts.Remove(host);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await host.StopAsync(cts.Token);
        host.Dispose();
    }

    public static async Task<WorkflowState> CompletedAsync(DaprWorkflowClient client, string instanceId)
    {
        using var cts = new CancellationTokenSource(Sim.Patience);
        return await client.WaitForWorkflowCompletionAsync(instanceId, true, cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await host.StopAsync(cts.Token);
            host.Dispose();
        }

        await Simulator.DisposeAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

public sealed record Order(string Name, int Quantity);

/// <summary>Two activities in sequence, the second on the first one's output; custom status after each.</summary>
public sealed class SequenceWorkflow : Workflow<Order, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, Order input)
    {
        var first = await context.CallActivityAsync<string>(nameof(ShoutActivity), input.Name);
        context.SetCustomStatus(new { step = 1 });
        var second = await context.CallActivityAsync<string>(nameof(ShoutActivity), first + "-" + input.Quantity);
        context.SetCustomStatus(new { step = 2 });
        return second;
    }
}

public sealed class ShoutActivity(Probe probe) : WorkflowActivity<string, string>
{
    public override Task<string> RunAsync(WorkflowActivityContext context, string input)
    {
        probe.Hit(nameof(ShoutActivity));
        return Task.FromResult(input.ToUpperInvariant() + "!");
    }
}

/// <summary>An activity that fails twice, with a retry policy of three attempts.</summary>
public sealed class RetryWorkflow : Workflow<string, string>
{
    public override Task<string> RunAsync(WorkflowContext context, string input) =>
        context.CallActivityAsync<string>(nameof(FlakyActivity), input,
            new WorkflowTaskOptions(new WorkflowRetryPolicy(3, TimeSpan.FromMilliseconds(50))));
}

public sealed class FlakyActivity(Probe probe) : WorkflowActivity<string, string>
{
    public override Task<string> RunAsync(WorkflowActivityContext context, string input)
    {
        probe.ExecutionKeys.Enqueue(context.TaskExecutionKey);
        if (probe.Hit(nameof(FlakyActivity)) <= 2)
        {
            throw new InvalidOperationException("not yet");
        }

        return Task.FromResult("done " + input);
    }
}

/// <summary>A durable timer, then the current (replay-safe) time.</summary>
public sealed class TimerWorkflow : Workflow<int, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, int milliseconds)
    {
        var before = context.CurrentUtcDateTime;
        await context.CreateTimer(TimeSpan.FromMilliseconds(milliseconds));
        return (context.CurrentUtcDateTime - before).TotalMilliseconds >= milliseconds ? "fired" : "too early";
    }
}

/// <summary>Waits for an external event without timeout (Dapr.Workflow schedules a year-9999 timer for it).</summary>
public sealed class ApprovalWorkflow : Workflow<string, string>
{
    public override async Task<string> RunAsync(WorkflowContext context, string input)
    {
        context.SetCustomStatus("waiting");
        var approver = await context.WaitForExternalEventAsync<string>("approved");
        return input + " approved by " + approver;
    }
}

/// <summary>One activity that blocks on the probe's gate.</summary>
public sealed class BlockingWorkflow : Workflow<string, string>
{
    public override Task<string> RunAsync(WorkflowContext context, string input) =>
        context.CallActivityAsync<string>(nameof(BlockingActivity), input);
}

public sealed class BlockingActivity(Probe probe) : WorkflowActivity<string, string>
{
    public override async Task<string> RunAsync(WorkflowActivityContext context, string input)
    {
        probe.Hit(nameof(BlockingActivity));
        await probe.Gate.Task;
        return "unblocked " + input;
    }
}
