using System.Globalization;

using Flame.DaprSim.Inspection;
using Flame.DaprSim.Resources;
using Flame.DaprSim.Sidecars;

using Microsoft.Extensions.Logging;

namespace Flame.DaprSim.Bindings;

/// <summary>
/// A <c>bindings.cron</c> input binding in one sidecar (daprd: pkg/runtime/processor/binding/send.go; components-contrib
/// bindings/cron/cron.go; Dapr docs: bindings, cron). Unless the component says <c>direction: input</c>, daprd first asks
/// the app with <c>OPTIONS /{name}</c> and runs the binding only on a 2xx or 405 answer. Each trigger is a
/// <c>POST /{name}</c> (or the <c>route</c> metadata) with an empty JSON body and the <c>timeZone</c>/<c>readTimeUTC</c>
/// headers; the reply is ignored (no redelivery; the next tick comes). Every replica runs its own schedule.
/// </summary>
public sealed class CronBinding
{
    private readonly ComponentSpec _component;
    private readonly Sidecar _sidecar;

    public CronBinding(ComponentSpec component, Sidecar sidecar)
    {
        _component = component;
        _sidecar = sidecar;
    }

    private string Path => _component.Meta("route") is { Length: > 0 } route ? (route.StartsWith('/') ? route : "/" + route) : "/" + _component.Name;

    public async Task RunAsync(CancellationToken ct)
    {
        var schedule = CronSchedule.Parse(_component.Meta("schedule") ?? throw new InvalidDataException($"cron binding {_component.Name}: schedule not set"));
        if (!IsInput() && !await AppWantsBindingAsync(ct))
        {
            _sidecar.Logger.LogInformation("app {app_id} has not subscribed to binding {binding}", _sidecar.AppId, _component.Name);
            return;
        }

        var time = _sidecar.Runtime.Options.TimeProvider;
        var next = schedule.Next(time.GetUtcNow());
        while (!ct.IsCancellationRequested)
        {
            var wait = next - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, ct);
            }

            await FireAsync(ct);
            next = schedule.Next(next > time.GetUtcNow() ? next : time.GetUtcNow());
        }
    }

    private bool IsInput() =>
        (_component.Meta("direction") ?? "").Split(',').Any(d => d.Trim().Equals("input", StringComparison.OrdinalIgnoreCase));

    private async Task<bool> AppWantsBindingAsync(CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Options, Path);
                using var response = await _sidecar.AppChannel.SendAsync(request, ct);
                var code = (int)response.StatusCode;
                return code / 100 == 2 || code == 405;
            }
            catch (HttpRequestException) when (attempt < 10)
            {
                await Task.Delay(_sidecar.Runtime.Options.SubscribeRetryInterval, ct);
            }
        }
    }

    private async Task FireAsync(CancellationToken ct)
    {
        int? status = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = new ByteArrayContent([]) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
            request.Headers.TryAddWithoutValidation("timeZone", "Local");
            request.Headers.TryAddWithoutValidation("readTimeUTC", GoTime(DateTimeOffset.UtcNow));
            using var response = await _sidecar.AppChannel.SendAsync(request, ct);
            status = (int)response.StatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            _sidecar.Logger.LogWarning("binding {binding}: app {app_id} replica {replica} not reachable: {error}", _component.Name, _sidecar.AppId, _sidecar.Replica, e.Message);
        }

        _sidecar.Runtime.Recorder.Add(new CronFire(_component.Name, _sidecar.AppId, _sidecar.Replica, status, DateTimeOffset.UtcNow));
    }

    // Go's time.Time.String() of a UTC time, as the cron component sends it.
    private static string GoTime(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + " +0000 UTC";
}
