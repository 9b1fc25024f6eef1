using System.Diagnostics;
using System.Net;
using Flame.Po.IntegrationTests.Support;

namespace Flame.Po.IntegrationTests.Chaos;

/// <summary>
/// A kill of the host: when, how long it was down, and how long the next process took to be ready (null: it was
/// killed again before it was ready); <see cref="Process"/> is the target that was killed (<c>all</c>, or in
/// three-process mode <c>lifecycle</c>, <c>logging</c>, <c>api</c>).
/// </summary>
public sealed record HostKill(TimeSpan At, TimeSpan Down, TimeSpan? ReadyAfter, string Process = "all");

/// <summary>
/// The whole PO (<c>--target all</c>) as a separate process on a fixed port, which the run SIGKILLs (no shutdown, no
/// flush) and starts again on the same port and database, as Kubernetes would after an OOM kill or node loss.
/// </summary>
public sealed class ChaosHost : IAsyncDisposable
{
    private readonly IDictionary<string, string?> _environment;
    private readonly List<HostKill> _kills = [];
    private readonly List<string> _lastOutputs = [];
    private HostProcess? _process;

    public ChaosHost(IDictionary<string, string?> environment)
    {
        _environment = environment;
        Port = FreePort.Next();
        BaseAddress = new Uri($"http://127.0.0.1:{Port}");
    }

    public int Port { get; }

    public Uri BaseAddress { get; }

    public IReadOnlyList<HostKill> Kills => _kills;

    /// <summary>The output of the processes that were killed (the last lines of each), for a failure message.</summary>
    public string Outputs => string.Join("\n---\n", _lastOutputs.Append(_process?.Output ?? ""));

    public async Task StartAsync(TimeSpan timeout)
    {
        _process = HostProcess.Start(["--target", "all", "--urls", BaseAddress.ToString()], _environment);
        await WaitReadyAsync(timeout);
    }

    /// <summary>
    /// SIGKILL, then (after <paramref name="downtime"/>) a fresh process on the same port; waits until
    /// <paramref name="readyBy"/> (UTC) for it to be ready. A process not ready by then is left starting: the next kill
    /// may hit it while it starts, as a crash-looping pod would be. With <paramref name="mustBeReady"/> that is a failure.
    /// </summary>
    public async Task<HostKill> KillAndRestartAsync(TimeSpan at, TimeSpan downtime, DateTime readyBy, bool mustBeReady)
    {
        var process = _process ?? throw new InvalidOperationException("The host is not running.");
        _process = null;
        var watch = Stopwatch.StartNew();
        var exitedBefore = process.ExitCode;
        await process.DisposeAsync(); // SIGKILL to the process tree, then waits for the exit.
        Keep($"(killed at {at.TotalSeconds:F1} s{(exitedBefore is { } code ? $"; it had exited with {code} before" : "")})\n" + Tail(process.Output));
        await Task.Delay(downtime);
        var down = watch.Elapsed;
        _process = HostProcess.Start(["--target", "all", "--urls", BaseAddress.ToString()], _environment);
        TimeSpan? readyAfter = null;
        try
        {
            await WaitReadyAsync(readyBy - DateTime.UtcNow);
            readyAfter = watch.Elapsed - down;
        }
        catch (TimeoutException) when (!mustBeReady)
        {
            // Killed again while it starts.
        }

        var kill = new HostKill(at, down, readyAfter);
        _kills.Add(kill);
        return kill;
    }

    public async Task StopAsync()
    {
        if (_process is not null)
        {
            await _process.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
            _process = null;
        }
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        var last = "(no answer)";
        while (DateTime.UtcNow < deadline)
        {
            if (_process?.ExitCode is { } exit)
            {
                throw new InvalidOperationException($"The host exited with {exit} while starting:\n{Tail(_process.Output)}");
            }

            try
            {
                using var attempt = new CancellationTokenSource(TimeSpan.FromTicks(Math.Max(1, (deadline - DateTime.UtcNow).Ticks)));
                using var response = await http.GetAsync("/readyz", attempt.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The host was not ready within {timeout}; last /readyz: {last}\n{Tail(_process?.Output ?? "")}");
    }

    private void Keep(string output)
    {
        _lastOutputs.Add(output);
    }

    private static string Tail(string output)
    {
        var lines = output.Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 40)));
    }
}
