using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Flame.Po.Dapr.Sidecar;

/// <summary>The error body daprd answers with: <c>{"errorCode":"ERR_…","message":"…"}</c>.</summary>
public sealed record DaprError(
    [property: JsonPropertyName("errorCode")] string? ErrorCode,
    [property: JsonPropertyName("message")] string? Message)
{
    public static async Task<DaprError> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            return JsonSerializer.Deserialize<DaprError>(text) ?? new DaprError(null, text);
        }
        catch (JsonException)
        {
            return new DaprError(null, text);
        }
    }

    /// <summary>State stores report an ETag failure as "possible etag mismatch" (components-contrib <c>ETagError</c>).</summary>
    public bool IsETagMismatch => Message?.Contains("etag mismatch", StringComparison.OrdinalIgnoreCase) == true;

    public string Describe(HttpStatusCode status) => $"Dapr answered {(int)status} {ErrorCode ?? "(no error code)"}: {Message}";
}
