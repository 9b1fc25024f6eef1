using System.Text.Json;
using Flame.Po.Api.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace Flame.Po.Api.Validation;

/// <summary>
/// Reads a JSON body of at most a given size. The body is parsed by hand rather than model-bound so each wrong
/// field can be named in the 422 and a huge body is refused (413) before it is buffered.
/// </summary>
public static class BoundedJsonBody
{
    public static async Task<(JsonElement? Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentType is { Length: > 0 } contentType
            && (!MediaTypeHeaderValue.TryParse(contentType, out var media) || !IsJson(media.MediaType.Value)))
        {
            return (null, ApiProblems.Status(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON.", "Send Content-Type: application/json."));
        }

        if (request.ContentLength > limit)
        {
            return (null, ApiProblems.TooLarge(limit));
        }

        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return (null, ApiProblems.TooLarge(limit));
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException)
        {
            return (null, ApiProblems.Invalid(new Dictionary<string, string[]> { ["body"] = ["must be a JSON object"] }, "The body is not valid JSON."));
        }
    }

    private static bool IsJson(string? mediaType) =>
        mediaType is not null && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
