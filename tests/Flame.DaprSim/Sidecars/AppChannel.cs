using System.Net.Sockets;

namespace Flame.DaprSim.Sidecars;

/// <summary>
/// The sidecar's connection to its app (daprd: pkg/channel/http/http_channel.go): every request carries the app token as
/// <c>dapr-api-token</c>. daprd initialises the channel only once the app's port accepts connections; the probe loop here
/// does the same and keeps watching, so invocation can prefer replicas whose app is reachable.
/// </summary>
public sealed class AppChannel : IDisposable
{
    private readonly HttpClient _client;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _reachable;

    public AppChannel(int port, string? appToken, TimeSpan timeout)
    {
        Port = port;
        AppToken = appToken;
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false, PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = timeout,
        };
    }

    public int Port { get; }

    public string? AppToken { get; }

    /// <summary>True once the app's port has accepted a connection (daprd's app channel is initialised).</summary>
    public bool Initialized => _ready.Task.IsCompleted;

    public Task WhenInitialized => _ready.Task;

    /// <summary>Whether the last probe (or request) reached the app.</summary>
    public bool Reachable => _reachable;

    /// <summary>Sends a request to the app with the app token; the caller owns the response.</summary>
    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        request.Headers.Remove("dapr-api-token");
        if (AppToken is not null)
        {
            request.Headers.TryAddWithoutValidation("dapr-api-token", AppToken);
        }

        return SendTrackedAsync(request, completion, ct);
    }

    private async Task<HttpResponseMessage> SendTrackedAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct)
    {
        try
        {
            var response = await _client.SendAsync(request, completion, ct);
            _reachable = true;
            return response;
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException)
        {
            _reachable = false;
            throw;
        }
    }

    /// <summary>Probes the app's port until cancelled: first until it answers (initialising the channel), then to track reachability.</summary>
    public async Task MonitorAsync(TimeSpan interval, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            _reachable = await ProbeAsync(ct);
            if (_reachable)
            {
                _ready.TrySetResult();
            }

            try
            {
                await Task.Delay(interval, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<bool> ProbeAsync(CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await socket.ConnectAsync(System.Net.IPAddress.Loopback, Port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => _client.Dispose();
}
