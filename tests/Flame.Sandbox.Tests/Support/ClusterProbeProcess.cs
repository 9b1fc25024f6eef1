using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Flame.Sandbox.Tests.Support;

/// <summary>
/// Runs <c>tests/Flame.Po.ClusterProbe</c> (the PO's <c>ClusterConnection</c> listing secrets in a loop with its one
/// client) as a client inside a pod would run: in a private mount namespace (<c>unshare --mount --propagation
/// private</c>) where <paramref name="volume"/> is bind-mounted at the official client's fixed service-account path,
/// with <c>KUBERNETES_SERVICE_HOST</c>/<c>_PORT</c> naming the sandbox and no <c>KUBECONFIG</c>. The mounts exist in
/// that namespace only; the machine's <c>/var/run</c> is never touched. The process is killed on dispose.
/// </summary>
public sealed class ClusterProbeProcess : IAsyncDisposable
{
    public const string ServiceAccountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    // Where the path does not exist (a machine that is not a pod), a tmpfs over its deepest existing ancestor —
    // inside the namespace — gives a place to create it; then the volume is bound over it and the probe replaces sh.
    private const string MountScript = """
        target=/var/run/secrets/kubernetes.io/serviceaccount
        if [ ! -d "$target" ]; then
          base=$(dirname "$target")
          while [ ! -d "$base" ]; do base=$(dirname "$base"); done
          mount -t tmpfs -o mode=0755 flame-probe "$base" && mkdir -p "$target" || exit 97
        fi
        mount --bind "$0" "$target" || exit 97
        exec "$@"
        """;

    private readonly Process _process;
    private readonly List<ProbeLine> _lines = [];
    private readonly StringBuilder _stderr = new();

    private ClusterProbeProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the probe against the API server at <c>https://127.0.0.1:<paramref name="port"/></c>.</summary>
    public static ClusterProbeProcess Start(ProjectedTokenVolume volume, int port, TimeSpan interval, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(volume);
        var info = new ProcessStartInfo("unshare")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] arguments =
        [
            "--mount", "--propagation", "private", "--", "sh", "-c", MountScript, volume.Root,
            Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet",
            Path.Combine(AppContext.BaseDirectory, "Flame.Po.ClusterProbe.dll"),
            ((int)interval.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
            ((int)limit.TotalSeconds).ToString(CultureInfo.InvariantCulture),
        ];
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var setting in new[] { "KUBECONFIG", "KUBE_CONTEXT", "PO_NAMESPACE" })
        {
            info.Environment.Remove(setting);
        }

        info.Environment["KUBERNETES_SERVICE_HOST"] = "127.0.0.1";
        info.Environment["KUBERNETES_SERVICE_PORT"] = port.ToString(CultureInfo.InvariantCulture);

        var probe = new ClusterProbeProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start unshare"));
        probe._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (probe._lines)
                {
                    probe._lines.Add(new ProbeLine(DateTimeOffset.UtcNow, e.Data));
                }
            }
        };
        probe._process.ErrorDataReceived += (_, e) =>
        {
            lock (probe._stderr)
            {
                probe._stderr.AppendLine(e.Data);
            }
        };
        probe._process.BeginOutputReadLine();
        probe._process.BeginErrorReadLine();
        return probe;
    }

    public IReadOnlyList<ProbeLine> Lines()
    {
        lock (_lines)
        {
            return [.. _lines];
        }
    }

    /// <summary>The first line that matches; fails with the probe's output if none comes in time.</summary>
    public async Task<ProbeLine> WaitForLineAsync(Func<ProbeLine, bool> match, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            if (Lines().FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (_process.HasExited || DateTimeOffset.UtcNow > deadline)
            {
                throw new TimeoutException($"{(_process.HasExited ? $"the probe exited with {_process.ExitCode}" : $"no such line within {timeout}")}.\n{Output()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Closes the probe's standard input (its signal to stop) and returns its exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        _process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>What the probe printed (its first and latest lines) and its standard error, for failure messages.</summary>
    public string Output()
    {
        var lines = Lines();
        var shown = lines.Select(l => $"{l.At:HH:mm:ss.fff} {l.Text}").ToList();
        var stdout = string.Join('\n', shown.Count <= 40 ? shown : [.. shown.Take(5), $"… {shown.Count - 35} more lines …", .. shown.TakeLast(30)]);
        lock (_stderr)
        {
            return $"stdout:\n{stdout}\nstderr:\n{_stderr}";
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
        }
    }
}
