using System.Text.Json;
using System.Text.Json.Nodes;

using YamlDotNet.Serialization;

namespace Flame.Sandbox.Kubernetes;

/// <summary>Reads a request body as JSON (or YAML for apply patches); undecodable bodies are 400 like on the apiserver.</summary>
public static class RequestBodies
{
    public static async Task<JsonNode?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(ct);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{') || trimmed.StartsWith('['))
        {
            try
            {
                return JsonNode.Parse(text);
            }
            catch (JsonException e)
            {
                throw ApiException.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
            }
        }

        try
        {
            var yaml = new DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().Build().Deserialize<object>(text);
            return JsonSerializer.SerializeToNode(yaml);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw ApiException.BadRequest($"error converting YAML to JSON: {e.Message}");
        }
    }

    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, CancellationToken ct) =>
        await ReadAsync(request, ct) as JsonObject ?? throw ApiException.BadRequest("Object 'Kind' is missing in 'null'");
}
