using System.Globalization;
using System.Text.Json.Nodes;

namespace Flame.Sandbox.Scenarios;

/// <summary>The program inside a simulated container; returns its exit code and termination reason.</summary>
public static class ContainerBehaviour
{
    public static async Task<(int ExitCode, string Reason)> RunAsync(KubeletContext context, PodRun pod, ContainerSim c, IReadOnlyDictionary<string, string> env, string restartPolicy, CancellationToken ct)
    {
        var scenario = c.Scenario;
        if (!scenario.IsAnalysis)
        {
            pod.Log(c, $"{c.Name}: service started");
            await Task.Delay(Timeout.Infinite, ct);
        }

        env.TryGetValue("KEYCLOAK_TOKEN", out var token);
        env.TryGetValue("ANALYSIS_ID", out var analysisId);
        var app = new AnalysisApp(context.Clock.Time, token);
        c.App = app;
        var clock = context.Clock;

        // A report right after a status change may race the PO deleting the pod. Kubernetes lets a terminating
        // container run for its grace period (30 s by default), so a request in flight then still completes: the
        // report is bounded by that grace, not cut off by the deletion.
        async Task Report(string level, string message, string status, int? progress)
        {
            using var grace = CancellationTokenSource.CreateLinkedTokenSource(context.Stopping);
            grace.CancelAfter(TimeSpan.FromSeconds(30));
            pod.Log(c, $"{level.ToUpperInvariant()}: {message}");
            var body = new JsonObject
            {
                ["log"] = message,
                ["log_type"] = level,
                ["analysis_id"] = analysisId,
                ["status"] = status,
            };
            if (progress is not null)
            {
                body["progress"] = progress;
            }

            await context.Streamer.SendAsync(body, app.Token, grace.Token);
        }

        pod.Log(c, $"INFO: starting analysis {analysisId} (scenario {scenario.Name})");
        switch (scenario.Name)
        {
            case "crashloop":
                await clock.Delay(scenario.Runtime, ct);
                pod.Log(c, "Traceback (most recent call last):");
                pod.Log(c, "RuntimeError: simulated crash during start-up");
                return (1, "Error");
            case "oom":
                app.Listening = true;
                await clock.Delay(scenario.Runtime, ct);
                pod.Log(c, "INFO: allocating a large array");
                return (137, "OOMKilled");
            case "stuck":
                app.Listening = true;
                app.SetStatus("stuck");
                await Report("warn", "analysis is stuck: cannot reach the message broker", "stuck", null);
                await Task.Delay(Timeout.Infinite, ct);
                break;
            case "hang":
                // Accepts connections but never answers (a deadlocked SDK): a caller waits for its own timeout.
                app.Listening = true;
                app.Hung = true;
                await Task.Delay(Timeout.Infinite, ct);
                break;
            case "fails":
                app.Listening = true;
                await clock.Delay(scenario.Runtime, ct);
                app.SetStatus("failed");
                await Report("error", "analysis failed: simulated error", "failed", null);
                return (1, "Error");
            default:
                await clock.Delay(scenario.StartDelay, ct);
                app.Listening = true;
                var steps = Math.Max(1, scenario.ProgressSteps);
                for (var step = 1; step <= steps; step++)
                {
                    await clock.Delay(scenario.Runtime / steps, ct);
                    var progress = step * 100 / steps;
                    if (step < steps)
                    {
                        app.SetStatus("executing", progress);
                        await Report("info", string.Create(CultureInfo.InvariantCulture, $"step {step}/{steps} done"), "executing", progress);
                    }
                }

                app.SetStatus("executed", 100);
                await Report("info", "analysis finished", "executed", 100);
                if (restartPolicy == "Always")
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }

                return (0, "Completed");
        }

        return (0, "Completed");
    }
}
