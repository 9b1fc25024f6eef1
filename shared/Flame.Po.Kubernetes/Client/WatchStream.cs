using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

using Flame.Po.Kubernetes.Models;
using Flame.Po.Kubernetes.Serialization;

namespace Flame.Po.Kubernetes.Client;

internal enum WatchLineKind
{
    Event,
    End,
    Expired,
    Failed,
}

internal readonly record struct WatchLine(WatchLineKind Kind, string? Type = null, JsonNode? Object = null);

/// <summary>
/// One watch request: reads newline-delimited events and turns every way it can end into a <see cref="WatchLine"/>
/// (normal end, 410 expired, failure), so the watcher's loop stays free of exception handling across yields.
/// Bookmarks and bad lines are consumed here.
/// </summary>
internal sealed class WatchStream(KubernetesClient client, string target, CancellationToken cancellationToken) : IAsyncDisposable
{
    private HttpResponseMessage? _response;
    private StreamReader? _reader;

    public async Task<WatchLine> NextAsync()
    {
        try
        {
            if (_reader is null)
            {
                _response = await client.SendStreamingAsync(target, cancellationToken);
                _reader = new StreamReader(await _response.Content.ReadAsStreamAsync(cancellationToken));
            }

            while (true)
            {
                var text = await _reader.ReadLineAsync(cancellationToken);
                if (text is null)
                {
                    return new WatchLine(WatchLineKind.End);
                }

                JsonNode? line;
                try
                {
                    line = JsonNode.Parse(text);
                }
                catch (JsonException)
                {
                    continue;
                }

                var type = line?["type"]?.GetValue<string>();
                var item = line?["object"];
                if (type == "ERROR")
                {
                    var status = item.Deserialize<KubernetesStatus>(KubernetesJson.Options);
                    return new WatchLine(status?.Code == 410 ? WatchLineKind.Expired : WatchLineKind.Failed);
                }

                if (type == "BOOKMARK")
                {
                    return new WatchLine(WatchLineKind.Event, type, item);
                }

                if (item is JsonObject && type is "ADDED" or "MODIFIED" or "DELETED")
                {
                    return new WatchLine(WatchLineKind.Event, type, item);
                }
            }
        }
        catch (KubernetesGoneException)
        {
            return new WatchLine(WatchLineKind.Expired);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is KubernetesApiException or HttpRequestException or IOException or JsonException)
        {
            return new WatchLine(e is HttpRequestException { StatusCode: HttpStatusCode.Gone } ? WatchLineKind.Expired : WatchLineKind.Failed);
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader?.Dispose();
        _response?.Dispose();
        return ValueTask.CompletedTask;
    }
}
