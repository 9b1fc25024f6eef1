using System.Diagnostics;
using System.Net;
using System.Text;

namespace Flame.Po.IntegrationTests.Support;

/// <summary>
/// The host as an operator runs it: a separate process (<c>dotnet Flame.Po.Host.dll</c>) with an environment
/// made only of what the test gives it, its stdout and stderr captured for assertions.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private static readonly string[] InheritedPrefixesToDrop = ["POSTGRES_", "HUB_", "KEYCLOAK_", "RESULT_", "PO_", "DAPR_", "APP_", "STATUS_LOOP", "NGINX_", "LOG_LEVEL", "ASPNETCORE_"];

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private HostProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public static HostProcess Start(IEnumerable<string> args, IDictionary<string, string?> environment)
    {
        var hostDll = Path.Combine(AppContext.BaseDirectory, "Flame.Po.Host.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        start.ArgumentList.Add(hostDll);
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

        return new HostProcess(Process.Start(start)!);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>
    /// Waits until the host answers <c>GET /readyz</c> with 200 at <paramref name="baseAddress"/>; fails at once with its
    /// output when it exits first, and with the last answer when <paramref name="timeout"/> (default 90 s) runs out.
    /// </summary>
    public async Task WaitForReadyAsync(Uri baseAddress, TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        var last = "(no answer)";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                // No attempt outlasts the deadline (a caller may have little time left).
                using var attempt = new CancellationTokenSource(TimeSpan.FromTicks(Math.Max(1, (deadline - DateTime.UtcNow).Ticks)));
                using var response = await http.GetAsync("/readyz", attempt.Token);
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(attempt.Token)}";
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            if (ExitCode is { } code)
            {
                throw new InvalidOperationException($"The host exited with {code}:\n{Output}");
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The host at {baseAddress} is not ready; last answer: {last}\n{Output}");
    }

    /// <summary>Asks the host to shut down gracefully (SIGTERM), as Kubernetes does.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
