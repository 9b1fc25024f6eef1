using System.Text.Json;
using System.Text.Json.Nodes;

using Flame.Sandbox.Kubernetes.Protobuf;

using YamlDotNet.Serialization;

namespace Flame.Sandbox.Kubernetes;

/// <summary>Reads a request body as JSON, YAML or protobuf; undecodable bodies are 400 like on the apiserver.</summary>
public static class RequestBodies
{
    public static async Task<JsonNode?> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        if (ProtobufBodies.Is(request.ContentType))
        {
            throw new ApiException(415, "UnsupportedMediaType", $"the sandbox decodes {ProtobufBodies.MediaType} only for creates and updates; send application/json");
        }

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

    /// <summary>An object to create or replace: JSON, YAML or (for the kinds kubectl creates with typed clients) protobuf.</summary>
    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, ResourceKind kind, CancellationToken ct)
    {
        if (ProtobufBodies.Is(request.ContentType))
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, ct);
            return ProtobufBodies.Decode(kind, buffer.ToArray());
        }

        return await ReadAsync(request, ct) as JsonObject ?? throw ApiException.BadRequest("Object 'Kind' is missing in 'null'");
    }
}
