using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Flame.Po.Kubernetes.Tests.Support;

/// <summary>
/// Runs the real nginx on a rendered configuration inside a private mount namespace whose /etc/hosts maps the
/// upstream service names to loopback addresses — the rendered file is used byte for byte, and the machine's
/// /etc/hosts is never touched. The process is always killed on dispose.
/// </summary>
internal sealed class NginxProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr;
    private readonly string _prefix;

    private NginxProcess(Process process, StringBuilder stderr, string prefix)
    {
        _process = process;
        _stderr = stderr;
        _prefix = prefix;
    }

    public static string Binary { get; } = FindBinary();

    /// <summary>Runs <c>nginx -t</c> on the configuration rendered for a fresh prefix directory.</summary>
    public static async Task<(int ExitCode, string Output)> TestConfigAsync(Func<string, string> renderForPrefix, IReadOnlyDictionary<string, IPAddress> hosts)
    {
        var prefix = CreatePrefix(renderForPrefix, hosts);
        try
        {
            using var process = Start(prefix, "-t");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout + await stderr);
        }
        finally
        {
            Directory.Delete(prefix, recursive: true);
        }
    }

    /// <summary>Starts nginx in the foreground and waits until it accepts connections on <paramref name="listen"/>.</summary>
    public static async Task<NginxProcess> StartAsync(Func<string, string> renderForPrefix, IReadOnlyDictionary<string, IPAddress> hosts, IPEndPoint listen)
    {
        var prefix = CreatePrefix(renderForPrefix, hosts);
        var process = Start(prefix, "-g", "daemon off;");
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var nginx = new NginxProcess(process, stderr, prefix);
        try
        {
            await nginx.WaitUntilListeningAsync(listen);
            return nginx;
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
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
            Directory.Delete(_prefix, recursive: true);
        }
    }

    private async Task WaitUntilListeningAsync(IPEndPoint listen)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited with {_process.ExitCode}: {Stderr()}");
            }

            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(listen);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException($"nginx did not listen on {listen}: {Stderr()}");
    }

    private string Stderr()
    {
        lock (_stderr)
        {
            return _stderr.ToString();
        }
    }

    private static string CreatePrefix(Func<string, string> renderForPrefix, IReadOnlyDictionary<string, IPAddress> hosts)
    {
        var prefix = Directory.CreateTempSubdirectory("flame-nginx-").FullName;
        // Workers run as an unprivileged user when the tests run as root; they need to reach the temp paths.
        File.SetUnixFileMode(prefix, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.WriteAllText(Path.Combine(prefix, "nginx.conf"), renderForPrefix(prefix));
        var hostsFile = new StringBuilder("127.0.0.1 localhost\n");
        foreach (var (name, address) in hosts)
        {
            hostsFile.Append(address).Append(' ').Append(name).Append('\n');
        }

        File.WriteAllText(Path.Combine(prefix, "hosts"), hostsFile.ToString());
        return prefix;
    }

    private static Process Start(string prefix, params string[] nginxArguments)
    {
        var info = new ProcessStartInfo("unshare")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--mount", "--propagation", "private", "--", "sh", "-c", "mount --bind \"$0\" /etc/hosts && exec \"$@\"", Path.Combine(prefix, "hosts"), Binary, "-p", prefix + "/", "-c", Path.Combine(prefix, "nginx.conf"), "-e", "stderr" })
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var argument in nginxArguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start unshare/nginx");
    }

    private static string FindBinary()
    {
        foreach (var candidate in new[] { "/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("nginx is not installed; the test script installs it with: apt-get install -y nginx");
    }
}
