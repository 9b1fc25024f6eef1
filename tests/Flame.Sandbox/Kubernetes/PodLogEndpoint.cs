using System.Globalization;
using System.Text;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary><c>GET pods/{name}/log</c>: text/plain, with container, previous, tailLines, timestamps, limitBytes, sinceSeconds and follow.</summary>
public sealed class PodLogEndpoint(KubernetesRuntime runtime)
{
    public async Task HandleAsync(HttpContext context, ApiPath api, CancellationToken ct)
    {
        var query = context.Request.Query;
        var pod = runtime.Api.Get(ResourceCatalog.Pods, api.Namespace, api.Name!);
        var podName = api.Name!;
        var containers = pod.At("spec", "containers").Objects().Select(c => c.Str("name")!).ToList();
        var container = query["container"].ToString();
        if (container.Length == 0)
        {
            if (containers.Count > 1)
            {
                throw ApiException.BadRequest($"a container name must be specified for pod {podName}, choose one of: [{string.Join(' ', containers)}]");
            }

            container = containers[0];
        }
        else if (!containers.Contains(container))
        {
            throw ApiException.BadRequest($"container {container} is not valid for pod {podName}");
        }

        if (pod.Str("spec", "nodeName") is null)
        {
            throw ApiException.BadRequest($"pod {podName} does not have a host assigned");
        }

        var uid = pod.Str("metadata", "uid")!;
        var log = runtime.Logs.Find(uid, container);
        var previous = query["previous"] is ["true" or "1"];
        if (previous)
        {
            if (log?.Previous is not { } lines)
            {
                throw ApiException.BadRequest($"previous terminated container \"{container}\" in pod \"{podName}\" not found");
            }

            await WriteAsync(context, Select(lines, query), ct);
            return;
        }

        var status = pod.At("status", "containerStatuses").Objects().FirstOrDefault(s => s.Str("name") == container);
        if (log is null || !log.HasOutput)
        {
            var waiting = status.Str("state", "waiting", "reason") ?? "ContainerCreating";
            var reason = waiting is "ErrImagePull" or "ImagePullBackOff" ? "trying and failing to pull image" : waiting;
            throw ApiException.BadRequest($"container \"{container}\" in pod \"{podName}\" is waiting to start: {reason}");
        }

        var (current, instance, ended, changed) = log.Snapshot();
        var selected = Select(current, query);
        var limitBytes = query["limitBytes"].Count > 0 ? ApiCore.ParseRevision(query["limitBytes"], "limitBytes") : long.MaxValue;
        var timestamps = query["timestamps"] is ["true" or "1"];
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        long written = 0;
        foreach (var line in selected)
        {
            if (!await WriteLineAsync(context, line, timestamps, limitBytes, ref written, ct))
            {
                return;
            }
        }

        if (query["follow"] is not ["true" or "1"])
        {
            return;
        }

        await context.Response.Body.FlushAsync(ct);
        var seen = current.Count;
        try
        {
            while (!ended)
            {
                await changed.WaitAsync(ct);
                (current, var nowInstance, ended, changed) = log.Snapshot();
                if (nowInstance != instance)
                {
                    return;
                }

                foreach (var line in current.Skip(seen))
                {
                    if (!await WriteLineAsync(context, line, timestamps, limitBytes, ref written, ct))
                    {
                        return;
                    }
                }

                seen = current.Count;
                await context.Response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException)
        {
            // The client stopped following.
        }
    }

    private List<(DateTimeOffset Time, string Line)> Select(List<(DateTimeOffset Time, string Line)> lines, IQueryCollection query)
    {
        IEnumerable<(DateTimeOffset Time, string Line)> result = lines;
        if (query["sinceSeconds"].Count > 0)
        {
            var since = runtime.Clock.Now.AddSeconds(-ApiCore.ParseRevision(query["sinceSeconds"], "sinceSeconds"));
            result = result.Where(l => l.Time >= since);
        }
        else if (query["sinceTime"].Count > 0 && DateTimeOffset.TryParse(query["sinceTime"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var sinceTime))
        {
            result = result.Where(l => l.Time >= sinceTime);
        }

        if (query["tailLines"].Count > 0)
        {
            var tail = (int)ApiCore.ParseRevision(query["tailLines"], "tailLines");
            result = result.TakeLast(tail);
        }

        return result.ToList();
    }

    private static Task WriteAsync(HttpContext context, IEnumerable<(DateTimeOffset Time, string Line)> lines, CancellationToken ct)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        var timestamps = context.Request.Query["timestamps"] is ["true" or "1"];
        var text = new StringBuilder();
        foreach (var (time, line) in lines)
        {
            text.Append(timestamps ? SimClock.Rfc3339Nano(time) + " " : "").Append(line).Append('\n');
        }

        return context.Response.WriteAsync(text.ToString(), ct);
    }

    private static ValueTask<bool> WriteLineAsync(HttpContext context, (DateTimeOffset Time, string Line) line, bool timestamps, long limitBytes, ref long written, CancellationToken ct)
    {
        var text = (timestamps ? SimClock.Rfc3339Nano(line.Time) + " " : "") + line.Line + "\n";
        var bytes = Encoding.UTF8.GetBytes(text);
        var remaining = limitBytes - written;
        if (remaining <= 0)
        {
            return ValueTask.FromResult(false);
        }

        var slice = bytes.Length > remaining ? bytes.AsMemory(0, (int)remaining) : bytes;
        written += slice.Length;
        return Write(context, slice, written < limitBytes, ct);

        static async ValueTask<bool> Write(HttpContext context, ReadOnlyMemory<byte> data, bool more, CancellationToken ct)
        {
            await context.Response.Body.WriteAsync(data, ct);
            return more;
        }
    }
}
