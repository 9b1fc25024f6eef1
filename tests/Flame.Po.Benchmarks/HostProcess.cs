using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Flame.Po.Benchmarks;

/// <summary>
/// The host as an operator runs it: <c>dotnet Flame.Po.Host.dll</c> (copied next to this program by the project
/// reference, with its own runtimeconfig, so the same runtime settings as the image) in a process of its own,
/// with an environment made only of the image's runtime variables (<see cref="ImageEnvironment"/>), what the scenario gives it and any
/// <c>BENCH_HOST_*</c> variables. Keeps the last lines of its output for errors.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private const int KeptLines = 40;
    /// <summary>BENCH_HOST_X=v reaches the host as X=v: a runtime setting to try without a rebuild (README "Performance").</summary>
    private const string HostVariablePrefix = "BENCH_HOST_";

    /// <summary>Where another build of the host is (e.g. a ReadyToRun publish); default: the copy next to this program.</summary>
    private const string HostDirectoryVariable = "BENCH_HOST_DIR";

    private static readonly string[] InheritedPrefixesToDrop = ["POSTGRES_", "HUB_", "KEYCLOAK_", "RESULT_", "PO_", "DAPR_", "APP_", "STATUS_LOOP", "NGINX_", "LOG_LEVEL", "ASPNETCORE_", "DOTNET_"];

    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();

    private HostProcess(Process process, long startTimestamp, Uri address)
    {
        _process = process;
        StartTimestamp = startTimestamp;
        Address = address;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>When the process was started (<see cref="Stopwatch.GetTimestamp"/>, taken just before the start).</summary>
    public long StartTimestamp { get; }

    public Uri Address { get; }

    public int Id => _process.Id;

    public string LastOutput
    {
        get
        {
            lock (_lastLines)
            {
                return string.Join('\n', _lastLines);
            }
        }
    }

    /// <summary>Starts <paramref name="target"/> (default <c>all</c>) on <paramref name="port"/> or a free loopback port.</summary>
    public static HostProcess Start(IReadOnlyDictionary<string, string?> environment, string target = "all", int? port = null)
    {
        var directory = Environment.GetEnvironmentVariable(HostDirectoryVariable) is { Length: > 0 } other ? other : AppContext.BaseDirectory;
        return StartProgram(Path.Combine(directory, "Flame.Po.Host.dll"), ["--target", target], environment, port);
    }

    /// <summary>
    /// Starts <c>dotnet <paramref name="assembly"/> <paramref name="arguments"/> --urls …</c> on <paramref name="port"/>
    /// or a free loopback port, with the same environment rules as the host (<see cref="Start"/>).
    /// </summary>
    public static HostProcess StartProgram(string assembly, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?> environment, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(environment);
        var address = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port ?? FreePort()}"));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var arg in new[] { assembly }.Concat(arguments).Concat(["--urls", address.ToString().TrimEnd('/')]))
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(k => InheritedPrefixesToDrop.Any(p => k.StartsWith(p, StringComparison.Ordinal))).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in ImageEnvironment.Variables.Concat(environment))
        {
            start.Environment[key] = value;
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith(HostVariablePrefix, StringComparison.Ordinal) && k != HostDirectoryVariable).ToList())
        {
            start.Environment[key[HostVariablePrefix.Length..]] = start.Environment[key];
            start.Environment.Remove(key);
        }

        var timestamp = Stopwatch.GetTimestamp();
        return new HostProcess(Process.Start(start)!, timestamp, address);
    }

    /// <summary>VmRSS and VmHWM (peak RSS) from <c>/proc/&lt;pid&gt;/status</c>, in MiB.</summary>
    public (double RssMb, double PeakRssMb) Memory()
    {
        var lines = File.ReadAllLines($"/proc/{Id.ToString(CultureInfo.InvariantCulture)}/status");
        return (Kilobytes("VmRSS:") / 1024.0, Kilobytes("VmHWM:") / 1024.0);

        long Kilobytes(string field) =>
            long.Parse(lines.Single(l => l.StartsWith(field, StringComparison.Ordinal))[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Polls <c>/readyz</c> until it answers 200. Returns the milliseconds since the process was started until it
    /// first answered HTTP at all and until it was ready, and the last answer before ready (why it was not).
    /// </summary>
    public async Task<(double AnsweringMs, double ReadyMs, string LastNotReady)> WaitUntilReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var last = "(no answer)";
        double? answering = null;
        while (Stopwatch.GetElapsedTime(StartTimestamp) < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The host exited with {_process.ExitCode}:\n{LastOutput}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                var elapsed = Stopwatch.GetElapsedTime(StartTimestamp).TotalMilliseconds;
                answering ??= elapsed;
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return (answering.Value, elapsed, last);
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException error)
            {
                last = error.Message;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"/readyz never answered 200 within {timeout.TotalSeconds:F0} s; last answer: {last}\n{LastOutput}");
    }

    /// <summary>Asks the host to shut down gracefully (SIGTERM, as Kubernetes does); kills it after 30 s.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
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

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > KeptLines)
            {
                _lastLines.Dequeue();
            }
        }
    }
}
