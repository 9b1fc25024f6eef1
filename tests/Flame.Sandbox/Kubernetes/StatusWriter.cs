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

    public static Task WriteErrorAsync(HttpResponse response, ApiException error, CancellationToken ct)
    {
        foreach (var (name, value) in error.Headers)
        {
            response.Headers[name] = value;
        }

        return WriteJsonAsync(response, error.Code, error.ToStatus(), ct);
    }
}
