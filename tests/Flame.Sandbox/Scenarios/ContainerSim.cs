using System.Text.Json.Nodes;

using Flame.Sandbox.Kubernetes;

namespace Flame.Sandbox.Scenarios;

/// <summary>The kubelet's view of one container of a simulated pod; mutated only under the pod's lock.</summary>
public sealed class ContainerSim(string name, string image, Scenario scenario, ContainerLog log)
{
    public string Name { get; } = name;

    public string Image { get; } = image;

    public Scenario Scenario { get; } = scenario;

    public ContainerLog Log { get; } = log;

    public JsonObject State { get; set; } = new() { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } };

    public JsonObject LastState { get; set; } = [];

    public bool Ready { get; set; }

    public bool Started { get; set; }

    public bool EverStarted { get; set; }

    public int RestartCount { get; set; }

    public string? ContainerId { get; set; }

    public AnalysisApp? App { get; set; }

    public int? FinalExitCode { get; set; }

    public JsonObject ToStatus() => new()
    {
        ["name"] = Name,
        ["state"] = State.DeepClone(),
        ["lastState"] = LastState.DeepClone(),
        ["ready"] = Ready,
        ["restartCount"] = RestartCount,
        ["image"] = Image,
        ["imageID"] = ContainerId is null ? "" : $"{ImageNames.FullyQualified(Image)}@sha256:{ContainerId[^64..]}",
        ["containerID"] = ContainerId,
        ["started"] = Started,
    };
}
