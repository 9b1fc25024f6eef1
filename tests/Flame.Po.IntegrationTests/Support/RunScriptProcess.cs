using System.Diagnostics;
using System.Text;

namespace Flame.Po.IntegrationTests.Support;

/// <summary>
/// <c>./run.sh</c> as a developer runs it, with an environment made only of what the test gives it (no
/// KUBECONFIG, no PO or sandbox settings inherited), its stdout lines collected for assertions.
/// </summary>
public sealed class RunScriptProcess : IAsyncDisposable
{
    private static readonly string[] InheritedPrefixesToDrop = ["POSTGRES_", "HUB_", "KEYCLOAK_", "RESULT_", "PO_", "DAPR_", "APP_", "STATUS_LOOP", "NGINX_", "LOG_LEVEL", "ASPNETCORE_", "SANDBOX_", "KUBECONFIG", "ANALYSIS_ACCESS"];

    private readonly Process _process;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private RunScriptProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_stdout, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_stderr, e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Stdout => Read(_stdout);

    public string Stderr => Read(_stderr);

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public static RunScriptProcess Start(IDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot.Path,
        };
        start.ArgumentList.Add(System.IO.Path.Combine(RepositoryRoot.Path, "run.sh"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(k => InheritedPrefixesToDrop.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return new RunScriptProcess(Process.Start(start)!);
    }

    /// <summary>The value of the first stdout line <c>KEY=value</c>, or null.</summary>
    public string? Value(string key) =>
        Stdout.Split('\n').Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith(key + "=", StringComparison.Ordinal))?[(key.Length + 1)..];

    /// <summary>Sends SIGTERM (what Ctrl-C in a terminal or a process manager does) and waits for the exit code.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>A last resort when a test failed midway: no process may outlive the test.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is not null)
        {
            lock (text)
            {
                text.AppendLine(line);
            }
        }
    }

    private static string Read(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }
}
