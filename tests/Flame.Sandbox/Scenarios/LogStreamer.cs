using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Flame.Sandbox.Scenarios;

/// <summary>
/// The SDK's log shipping: <c>POST {po}/po/stream_logs</c> with the analysis token; failed submissions are queued and
/// re-sent with the next line (docs/compatibility.md#analysis-sdk), so an outage of the PO does not lose lines.
/// </summary>
public sealed class LogStreamer(HttpClient http, Func<Uri?> target)
{
    private readonly Lock _gate = new();
    private readonly Queue<JsonObject> _pending = new();

    public async Task SendAsync(JsonObject body, string? token, CancellationToken ct)
    {
        var url = target();
        if (url is null)
        {
            return;
        }

        lock (_gate)
        {
            _pending.Enqueue(body);
        }

        while (true)
        {
            JsonObject next;
            lock (_gate)
            {
                if (!_pending.TryPeek(out next!))
                {
                    return;
                }
            }

            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(next) };
                if (!string.IsNullOrEmpty(token))
                {
                    request.Headers.Authorization = new("Bearer", token);
                }

                using var response = await http.SendAsync(request, ct);
                if (!response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                return;
            }

            lock (_gate)
            {
                _pending.TryDequeue(out _);
            }
        }
    }
}
