using System.Text;
using System.Text.Json.Nodes;

using Flame.Sandbox.Kubernetes;
using Flame.Sandbox.Support;

namespace Flame.Sandbox.Scenarios;

/// <summary>
/// One pod on the simulated node, KWOK-style: scheduling, sandbox with a pod IP, image pull, containers that
/// run their scenario, exit, and restart with CrashLoopBackOff back-off according to the restart policy.
/// </summary>
public sealed class PodRun(KubeletContext context, JsonObject pod) : IDisposable
{
    private static readonly TimeSpan PullTime = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackOff = TimeSpan.FromMinutes(5);

    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _cts = new();
    private readonly Dictionary<string, (string Status, string Time, string? Reason, string? Message)> _conditions = new(StringComparer.Ordinal);
    private readonly string _ns = pod.Str("metadata", "namespace")!;
    private readonly string _name = pod.Str("metadata", "name")!;
    private readonly string _restartPolicy = pod.Str("spec", "restartPolicy") ?? "Always";
    private readonly List<ContainerSim> _containers = pod.At("spec", "containers").Objects()
        .Select(c => new ContainerSim(c.Str("name")!, c.Str("image") ?? "", Scenario.Parse(c.Str("image") ?? ""), context.Logs.For(pod.Str("metadata", "uid")!, c.Str("name")!)))
        .ToList();

    private string _phase = "Pending";
    private string? _podReason;
    private string? _podMessage;
    private string? _podIp;
    private string? _startTime;
    private bool _scheduled;
    private bool _terminating;

    public string Uid { get; } = pod.Str("metadata", "uid")!;

    public IReadOnlyList<ContainerSim> Containers => _containers;

    public string? PodIp => _podIp;

    public void Start() => _ = Task.Run(() => RunAsync(_cts.Token));

    private async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await context.Clock.Delay(TimeSpan.FromMilliseconds(200), ct);
            if (_containers.Any(c => c.Scenario.Name == "unschedulable"))
            {
                lock (_gate)
                {
                    SetCondition("PodScheduled", "False", "Unschedulable", "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.");
                    Publish();
                }

                return;
            }

            lock (_gate)
            {
                _scheduled = true;
                _startTime = SimClock.Rfc3339(context.Clock.Now);
                _podIp = context.PodIps.Next();
                SetCondition("PodScheduled", "True");
                SetCondition("Initialized", "True");
                SetCondition("PodReadyToStartContainers", "True");
                Publish();
            }

            if (pod.Num("spec", "activeDeadlineSeconds") is { } deadline)
            {
                _ = EnforceDeadlineAsync(TimeSpan.FromSeconds(deadline), ct);
            }

            await Task.WhenAll(_containers.Select(c => RunContainerAsync(c, ct)));
            lock (_gate)
            {
                _phase = _containers.All(c => c.FinalExitCode == 0) ? "Succeeded" : "Failed";
                SetCondition("PodReadyToStartContainers", "False");
                Publish();
            }
        }
        catch (OperationCanceledException)
        {
            // The pod is being deleted or the sandbox stops.
        }
    }

    private async Task EnforceDeadlineAsync(TimeSpan deadline, CancellationToken ct)
    {
        await context.Clock.Delay(deadline, ct);
        lock (_gate)
        {
            _phase = "Failed";
            _podReason = "DeadlineExceeded";
            _podMessage = $"Pod was active on the node longer than the specified deadline";
            foreach (var c in _containers.Where(c => c.State["running"] is not null))
            {
                Terminate(c, 137, "Error");
            }

            Publish();
        }

        _cts.Cancel();
    }

    private async Task RunContainerAsync(ContainerSim c, CancellationToken ct)
    {
        var env = await ResolveEnvironmentAsync(c, ct);
        await context.Clock.Delay(PullTime, ct);
        var backOffs = 0;
        if (c.Scenario.Name is "pull-error" or "unknown")
        {
            while (true)
            {
                lock (_gate)
                {
                    var full = ImageNames.FullyQualified(c.Image);
                    c.State = Waiting("ErrImagePull", $"failed to pull and unpack image \"{full}\": failed to resolve reference \"{full}\": {full}: not found");
                    Publish();
                }

                await context.Clock.Delay(PullTime, ct);
                lock (_gate)
                {
                    c.State = Waiting("ImagePullBackOff", $"Back-off pulling image \"{c.Image}\"");
                    Publish();
                }

                await context.Clock.Delay(BackOff(backOffs++), ct);
            }
        }

        while (true)
        {
            lock (_gate)
            {
                c.ContainerId = "containerd://" + Convert.ToHexStringLower(Encoding.UTF8.GetBytes(context.Api.RandomSuffix(32)));
                c.State = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = SimClock.Rfc3339(context.Clock.Now) } };
                c.Ready = true;
                c.Started = true;
                c.EverStarted = true;
                _phase = "Running";
                Publish();
            }

            var (exitCode, reason) = await ContainerBehaviour.RunAsync(context, this, c, env, _restartPolicy, ct);
            lock (_gate)
            {
                Terminate(c, exitCode, reason);
                Publish();
            }

            if (_restartPolicy == "Never" || (_restartPolicy == "OnFailure" && exitCode == 0))
            {
                c.FinalExitCode = exitCode;
                return;
            }

            lock (_gate)
            {
                c.LastState = c.State;
                c.State = Waiting("CrashLoopBackOff", $"back-off {(int)BackOff(backOffs).TotalSeconds}s restarting failed container={c.Name} pod={_name}_{_ns}({Uid})");
                Publish();
            }

            await context.Clock.Delay(BackOff(backOffs++), ct);
            lock (_gate)
            {
                c.RestartCount++;
                c.Log.Restart();
            }
        }
    }

    /// <summary>Missing Secrets or ConfigMaps keep the container in CreateContainerConfigError until they appear, as on a kubelet.</summary>
    private async Task<Dictionary<string, string>> ResolveEnvironmentAsync(ContainerSim c, CancellationToken ct)
    {
        var spec = pod.At("spec", "containers").Objects().First(x => x.Str("name") == c.Name);
        while (true)
        {
            var env = new Dictionary<string, string>(StringComparer.Ordinal);
            string? missing = null;
            foreach (var e in spec.At("env").Objects())
            {
                var name = e.Str("name")!;
                if (e.Str("value") is { } value)
                {
                    env[name] = value;
                }
                else if (e.At("valueFrom", "secretKeyRef") is JsonObject sref)
                {
                    var secret = context.Api.Store.Get(ResourceCatalog.Secrets, _ns, sref.Str("name") ?? "");
                    var data = secret.Str("data", sref.Str("key") ?? "");
                    if (data is null && sref.Bool("optional") != true)
                    {
                        missing = secret is null ? $"secret \"{sref.Str("name")}\" not found" : $"couldn't find key {sref.Str("key")} in Secret {_ns}/{sref.Str("name")}";
                    }
                    else if (data is not null)
                    {
                        env[name] = Encoding.UTF8.GetString(Convert.FromBase64String(data));
                    }
                }
                else if (e.At("valueFrom", "configMapKeyRef") is JsonObject cref)
                {
                    var cm = context.Api.Store.Get(ResourceCatalog.ConfigMaps, _ns, cref.Str("name") ?? "");
                    var data = cm.Str("data", cref.Str("key") ?? "");
                    if (data is null && cref.Bool("optional") != true)
                    {
                        missing = cm is null ? $"configmap \"{cref.Str("name")}\" not found" : $"couldn't find key {cref.Str("key")} in ConfigMap {_ns}/{cref.Str("name")}";
                    }
                    else if (data is not null)
                    {
                        env[name] = data;
                    }
                }
            }

            if (missing is null)
            {
                return env;
            }

            lock (_gate)
            {
                c.State = Waiting("CreateContainerConfigError", missing);
                Publish();
            }

            await context.Clock.Delay(TimeSpan.FromSeconds(2), ct);
        }
    }

    private static TimeSpan BackOff(int n) => TimeSpan.FromSeconds(Math.Min(MaxBackOff.TotalSeconds, 10 * Math.Pow(2, Math.Min(n, 10))));

    private static JsonObject Waiting(string reason, string message) =>
        new() { ["waiting"] = new JsonObject { ["reason"] = reason, ["message"] = message } };

    private void Terminate(ContainerSim c, int exitCode, string reason)
    {
        var startedAt = c.State.Str("running", "startedAt");
        c.State = new JsonObject
        {
            ["terminated"] = new JsonObject
            {
                ["exitCode"] = exitCode,
                ["reason"] = reason,
                ["startedAt"] = startedAt,
                ["finishedAt"] = SimClock.Rfc3339(context.Clock.Now),
                ["containerID"] = c.ContainerId,
            },
        };
        c.Ready = false;
        c.Started = false;
        c.Log.End();
    }

    /// <summary>Graceful deletion: containers get SIGTERM, exit, and the pod leaves storage shortly after.</summary>
    public async Task TerminateAsync(long graceSeconds)
    {
        lock (_gate)
        {
            if (_terminating)
            {
                return;
            }

            _terminating = true;
        }

        await _cts.CancelAsync();
        lock (_gate)
        {
            foreach (var c in _containers.Where(c => c.State["running"] is not null))
            {
                Terminate(c, 0, "Completed");
            }

            Publish();
        }

        try
        {
            var wait = TimeSpan.FromSeconds(Math.Min(graceSeconds, 1));
            await Task.Delay(context.Clock.Scaled(wait), context.Clock.Time, context.Stopping);
            context.Api.Finalize(ResourceCatalog.Pods, _ns, _name, Uid);
        }
        catch (OperationCanceledException)
        {
            // The sandbox stops; the pod stays as it is.
        }
    }

    public void Log(ContainerSim c, string line) => c.Log.Append(context.Clock.Now, line);

    private void SetCondition(string type, string status, string? reason = null, string? message = null)
    {
        if (!_conditions.TryGetValue(type, out var existing) || existing.Status != status || existing.Reason != reason)
        {
            _conditions[type] = (status, SimClock.Rfc3339(context.Clock.Now), reason, message);
        }
    }

    /// <summary>Writes the pod status the way the kubelet does (a status update, never touching the spec except nodeName binding).</summary>
    private void Publish()
    {
        if (_scheduled)
        {
            var ready = _containers.All(c => c.Ready) && _phase == "Running";
            SetCondition("ContainersReady", ready ? "True" : "False", ready ? null : "ContainersNotReady", ready ? null : $"containers with unready status: [{string.Join(' ', _containers.Where(c => !c.Ready).Select(c => c.Name))}]");
            SetCondition("Ready", ready ? "True" : "False", ready ? null : "ContainersNotReady", ready ? null : $"containers with unready status: [{string.Join(' ', _containers.Where(c => !c.Ready).Select(c => c.Name))}]");
        }

        var status = new JsonObject { ["phase"] = _phase };
        if (_podReason is not null)
        {
            status["reason"] = _podReason;
            status["message"] = _podMessage;
        }

        status["conditions"] = new JsonArray(_conditions.Select(kv =>
        {
            var condition = new JsonObject { ["type"] = kv.Key, ["status"] = kv.Value.Status, ["lastProbeTime"] = null, ["lastTransitionTime"] = kv.Value.Time };
            if (kv.Value.Reason is not null)
            {
                condition["reason"] = kv.Value.Reason;
                condition["message"] = kv.Value.Message;
            }

            return (JsonNode)condition;
        }).ToArray());
        if (_scheduled)
        {
            status["hostIP"] = context.HostIp;
            status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = context.HostIp });
            status["podIP"] = _podIp;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = _podIp });
            status["startTime"] = _startTime;
            status["containerStatuses"] = new JsonArray(_containers.Select(c =>
            {
                var s = c.ToStatus();
                if (c.ContainerId is null)
                {
                    s.Remove("containerID");
                }

                return (JsonNode)s;
            }).ToArray());
        }

        status["qosClass"] = pod.Str("status", "qosClass") ?? "BestEffort";
        try
        {
            context.Api.Store.Update(ResourceCatalog.Pods, _ns, _name, current =>
            {
                if (current.Str("metadata", "uid") != Uid)
                {
                    return null;
                }

                if (_scheduled)
                {
                    current.Obj("spec")["nodeName"] = context.NodeName;
                }

                current["status"] = status.DeepClone();
                return current;
            });
        }
        catch (ApiException e) when (e.Code == 404)
        {
            _cts.Cancel();
        }
    }

    /// <summary>Stops the simulation. The token source is not disposed: container tasks may still observe it.</summary>
    public void Dispose() => _cts.Cancel();
}
