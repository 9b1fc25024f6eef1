using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;

namespace Flame.Sandbox.Kubernetes;

/// <summary>Writes JSON bodies with the apiserver's content type.</summary>
public static class StatusWriter
{
    public static async Task WriteJsonAsync(HttpResponse response, int code, JsonNode body, CancellationToken ct)
    {
        response.StatusCode = code;
        response.ContentType = "application/json";
        await response.WriteAsync(body.ToJsonString(Support.JsonPath.Wire), ct);
    }

    /// <summary>
    /// A list: the fields of <paramref name="head"/> (kind, apiVersion, metadata), then <c>items</c> made of the
    /// stored list-item JSON as it is, written straight to the response without building the list in memory.
    /// </summary>
    public static async Task WriteListAsync(HttpResponse response, JsonObject head, IReadOnlyList<byte[]> items, CancellationToken ct)
    {
        response.StatusCode = 200;
        response.ContentType = "application/json";
        var start = Encoding.UTF8.GetBytes(head.ToJsonString(Support.JsonPath.Wire));
        var body = response.BodyWriter;
        body.Write(start.AsSpan(0, start.Length - 1));
        body.Write(",\"items\":["u8);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                body.Write(","u8);
            }

            body.Write(items[i]);
            if (body.UnflushedBytes > 64 * 1024)
            {
                await body.FlushAsync(ct);
            }
        }

        body.Write("]}"u8);
        await body.FlushAsync(ct);
    }

    public static Task WriteErrorAsync(HttpResponse response, ApiException error, CancellationToken ct)
    {
        foreach (var (name, value) in error.Headers)
        {
            response.Headers[name] = value;
        }

        return WriteJsonAsync(response, error.Code, error.ToStatus(), ct);
    }
}
