using System.Globalization;
using System.Text.Json.Nodes;

using Flame.Sandbox.Faults;
using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary>
/// <c>?watch=true</c>: newline-delimited events flushed one by one, replay from a revision, 410 as an ERROR
/// event when the revision is compacted, periodic BOOKMARKs, <c>timeoutSeconds</c>, and selector filtering that
/// turns "stopped matching" into DELETED and "started matching" into ADDED.
/// </summary>
public sealed class WatchHandler(KubernetesRuntime runtime)
{
    public async Task HandleAsync(HttpContext context, ResourceKind kind, string? ns, LabelSelector labels, FieldSelector fields, CancellationToken ct)
    {
        var query = context.Request.Query;
        var rvText = query["resourceVersion"].ToString();
        long? from = rvText is "" or "0" ? null : ApiCore.ParseRevision(rvText, "resourceVersion");
        var bookmarks = query["allowWatchBookmarks"] is ["true" or "1"];
        var timeout = query["timeoutSeconds"].Count > 0 ? TimeSpan.FromSeconds(ApiCore.ParseRevision(query["timeoutSeconds"], "timeoutSeconds")) : runtime.MaxWatchDuration;
        var routeKey = $"k8s:watch:{kind.Plural}";
        var drop = runtime.Faults.Decide(routeKey, watchDrops: true) is { DropWatchAfterEvents: { } after } ? after : (int?)null;

        var response = context.Response;
        using var subscription = runtime.Api.Store.Subscribe(kind, null, from);
        response.StatusCode = 200;
        response.ContentType = "application/json";
        response.Headers.CacheControl = "no-cache, private";
        await response.StartAsync(ct);
        if (subscription is null)
        {
            var error = ApiException.Gone($"too old resource version: {from} ({runtime.Api.Store.OldestWatchableRevision})");
            await WriteLineAsync(response, new JsonObject { ["type"] = "ERROR", ["object"] = error.ToStatus() }, ct);
            return;
        }

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        var token = timeoutCts.Token;
        var sent = 0;
        var lastRevision = from ?? subscription.StartRevision;

        bool Matches(JsonObject? o) =>
            o is not null && (ns is null || o.Str("metadata", "namespace") == ns)
            && labels.Matches(o.At("metadata", "labels").StringMap()) && fields.Matches(o);

        async Task<bool> SendAsync(string type, JsonObject obj)
        {
            if (drop is { } limit && sent >= limit)
            {
                return false;
            }

            await WriteLineAsync(response, new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }, token);
            sent++;
            return true;
        }

        try
        {
            foreach (var evt in subscription.Initial)
            {
                var type = Translate(evt, Matches);
                if (type is not null && !await SendAsync(type, evt.Item))
                {
                    return;
                }
            }

            while (!token.IsCancellationRequested)
            {
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(token);
                if (bookmarks)
                {
                    tick.CancelAfter(runtime.BookmarkInterval);
                }

                WatchEvent evt;
                try
                {
                    evt = await subscription.Live.ReadAsync(tick.Token);
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    if (!await SendAsync("BOOKMARK", Bookmark(kind, lastRevision)))
                    {
                        return;
                    }

                    continue;
                }

                lastRevision = evt.Revision;
                if (evt.Kind != kind)
                {
                    continue;
                }

                var type = Translate(evt, Matches);
                if (type is not null && !await SendAsync(type, evt.Item))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // timeoutSeconds reached or the client went away: the stream simply ends.
        }
    }

    private static string? Translate(WatchEvent evt, Func<JsonObject?, bool> matches)
    {
        var now = matches(evt.Item);
        var before = evt.Previous is not null && matches(evt.Previous);
        return evt.Type switch
        {
            "ADDED" => now ? "ADDED" : null,
            "DELETED" => now || before ? "DELETED" : null,
            _ when now && before => "MODIFIED",
            _ when now => "ADDED",
            _ when before => "DELETED",
            _ => null,
        };
    }

    private static JsonObject Bookmark(ResourceKind kind, long revision) => new()
    {
        ["kind"] = kind.Kind,
        ["apiVersion"] = kind.ApiVersion,
        ["metadata"] = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) },
    };

    private static async Task WriteLineAsync(HttpResponse response, JsonObject evt, CancellationToken ct)
    {
        await response.WriteAsync(evt.ToJsonString(JsonPath.Wire) + "\n", ct);
        await response.Body.FlushAsync(ct);
    }
}
