using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Flame.DaprSim.Errors;
using Flame.DaprSim.Resources;
using Flame.DaprSim.Sidecars;
using Flame.DaprSim.State;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Flame.DaprSim.Api;

/// <summary>
/// The HTTP state API (Dapr docs: state API; daprd: pkg/api/http/http.go): get (200 + ETag header, 204 when missing),
/// save (array of items, 204), delete (<c>If-Match</c>, 204), bulk get (<c>[{key,data,etag}]</c>) and transaction.
/// Values are stored as the JSON text of <c>value</c>, as daprd marshals it for the store. Query metadata
/// (<c>?metadata.x=y</c>) is merged into every item.
/// </summary>
public static class StateEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, Sidecar sidecar)
    {
        var api = new StateApi(sidecar);
        routes.MapGet("/v1.0/state/{store}/{key}", (HttpContext context, string store, string key) =>
        {
            var entry = api.Get(store, key, http: true);
            if (entry is null)
            {
                context.Response.StatusCode = 204;
                return Task.CompletedTask;
            }

            context.Response.Headers.ETag = entry.ETag;
            if (entry.ExpiresAt is { } expires)
            {
                context.Response.Headers["metadata.ttlExpireTime"] = PubSub.CloudEvents.Rfc3339(expires.ToUniversalTime());
            }

            context.Response.ContentType = "application/json";
            return context.Response.Body.WriteAsync(entry.Value, context.RequestAborted).AsTask();
        });
        routes.MapMethods("/v1.0/state/{store}", ["POST", "PUT"], async (HttpContext context, string store) =>
        {
            sidecar.StateStore(store, http: true);
            var items = await ReadJsonAsync(context) as JsonArray ?? throw DaprErrors.MalformedRequest("json: cannot unmarshal into []state.SetRequest");
            var query = QueryMetadata(context.Request);
            var requests = items.OfType<JsonObject>().Select(i => ToSetRequest(i, query)).ToList();
            api.Save(store, requests, http: true);
            context.Response.StatusCode = 204;
        });
        routes.MapDelete("/v1.0/state/{store}/{key}", (HttpContext context, string store, string key) =>
        {
            var hasETag = context.Request.Headers.ContainsKey("If-Match");
            api.Delete(store, key, hasETag ? context.Request.Headers.IfMatch.ToString() : null, context.Request.Query["concurrency"].ToString(), http: true);
            context.Response.StatusCode = 204;
            return Task.CompletedTask;
        });
        routes.MapMethods("/v1.0/state/{store}/bulk", ["POST", "PUT"], async (HttpContext context, string store) =>
        {
            sidecar.StateStore(store, http: true);
            var body = await ReadJsonAsync(context) as JsonObject ?? throw DaprErrors.MalformedRequest("json: cannot unmarshal into BulkGetRequest");
            var keys = YamlDocuments.Strings(body["keys"]);
            var result = new JsonArray();
            foreach (var (key, entry) in api.BulkGet(store, keys, http: true))
            {
                var item = new JsonObject { ["key"] = key };
                if (entry is not null)
                {
                    item["data"] = PubSub.CloudEvents.TryParse(entry.Value) ?? JsonValue.Create(Encoding.UTF8.GetString(entry.Value));
                    item["etag"] = entry.ETag;
                }

                result.Add(item);
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(result.ToJsonString(), context.RequestAborted);
        });
        routes.MapMethods("/v1.0/state/{store}/transaction", ["POST", "PUT"], async (HttpContext context, string store) =>
        {
            sidecar.StateStore(store, http: true);
            var body = await ReadJsonAsync(context) as JsonObject ?? throw DaprErrors.MalformedRequest("json: cannot unmarshal into stateTransactionRequestBody");
            var query = QueryMetadata(context.Request);
            var operations = new List<IStateOperation>();
            foreach (var operation in (body["operations"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var name = YamlDocuments.Text(operation["operation"]) ?? "";
                var request = operation["request"] as JsonObject ?? [];
                operations.Add(name switch
                {
                    "upsert" => ToSetRequest(request, query),
                    "delete" => new DeleteRequest(YamlDocuments.Text(request["key"]) ?? "", YamlDocuments.Text(request["etag"]), YamlDocuments.Text(request["options"]?["concurrency"])),
                    _ => throw DaprErrors.NotSupportedStateOperation(name, http: true),
                });
            }

            api.Transact(store, operations, http: true);
            context.Response.StatusCode = 204;
        });
    }

    private static SetRequest ToSetRequest(JsonObject item, IReadOnlyDictionary<string, string> query)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, node) in item["metadata"] as JsonObject ?? [])
        {
            metadata[key] = YamlDocuments.Text(node) ?? "";
        }

        foreach (var (key, text) in query)
        {
            metadata[key] = text;
        }

        var value = item["value"]?.ToJsonString() ?? "null";
        return new SetRequest(YamlDocuments.Text(item["key"]) ?? "", Encoding.UTF8.GetBytes(value), YamlDocuments.Text(item["etag"]), YamlDocuments.Text(item["options"]?["concurrency"]), metadata);
    }

    /// <summary><c>?metadata.key=value</c> query parameters (daprd: <c>getMetadataFromRequest</c>).</summary>
    public static IReadOnlyDictionary<string, string> QueryMetadata(HttpRequest request)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in request.Query)
        {
            if (key.StartsWith("metadata.", StringComparison.Ordinal))
            {
                metadata[key["metadata.".Length..]] = values.ToString();
            }
        }

        return metadata;
    }

    private static async Task<JsonNode?> ReadJsonAsync(HttpContext context)
    {
        try
        {
            return await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException e)
        {
            throw DaprErrors.MalformedRequest(e.Message);
        }
    }
}
