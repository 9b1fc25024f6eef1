using System.Globalization;
using System.Text.Json.Nodes;

using Flame.Sandbox.Kubernetes.OpenApi;
using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary>The apiserver's HTTP surface: authentication, discovery and the resource verbs.</summary>
public sealed class KubernetesEndpoints(KubernetesRuntime runtime)
{
    private readonly WatchHandler _watch = new(runtime);
    private readonly PodLogEndpoint _logs = new(runtime);
    private readonly ServiceProxy _proxy = new(runtime);
    private readonly ScaleSubresource _scale = new(runtime.Api);

    public async Task HandleAsync(HttpContext context)
    {
        var ct = context.RequestAborted;
        try
        {
            await DispatchAsync(context, ct);
        }
        catch (ApiException e) when (!context.Response.HasStarted)
        {
            await StatusWriter.WriteErrorAsync(context.Response, e, ct);
        }
    }

    private async Task DispatchAsync(HttpContext context, CancellationToken ct)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        // /version and /version/ are both public (the system:public-info-viewer role); the official clients call the latter.
        if (path is "/version" or "/version/")
        {
            await StatusWriter.WriteJsonAsync(context.Response, 200, Discovery.Version(), ct);
            return;
        }

        if (path is "/healthz" or "/livez" or "/readyz")
        {
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("ok", ct);
            return;
        }

        if (!runtime.Authenticator.Authenticate(request.Headers.Authorization.ToString()))
        {
            throw new ApiException(401, "Unauthorized", "Unauthorized");
        }

        switch (path.TrimEnd('/'))
        {
            case "/api":
                await StatusWriter.WriteJsonAsync(context.Response, 200, Discovery.CoreVersions($"{request.Host}"), ct);
                return;
            case "/apis":
                await StatusWriter.WriteJsonAsync(context.Response, 200, Discovery.Groups(), ct);
                return;
            default:
                break;
        }

        if (path == "/openapi/v3" || path.StartsWith("/openapi/v3/", StringComparison.Ordinal))
        {
            var document = OpenApiDocuments.Find(path["/openapi/v3".Length..]) ?? throw new ApiException(404, "NotFound", "the server could not find the requested resource", new JsonObject());
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(document, ct);
            return;
        }

        var api = ApiPath.Parse(path);
        if (api is null)
        {
            var segments = path.Trim('/').Split('/');
            if (segments is ["apis", var g] && ResourceCatalog.GroupVersions().FirstOrDefault(gv => gv.Group == g) is { Group.Length: > 0 } found)
            {
                await StatusWriter.WriteJsonAsync(context.Response, 200, Discovery.Group(found.Group, found.Version), ct);
                return;
            }

            throw new ApiException(404, "NotFound", "the server could not find the requested resource", new JsonObject());
        }

        if (api.IsGroupVersionRoot)
        {
            await StatusWriter.WriteJsonAsync(context.Response, 200, Discovery.Resources(api.Group, api.Version), ct);
            return;
        }

        var kind = api.Kind!;
        if (api.Subresource == "proxy" && kind == ResourceCatalog.Services)
        {
            await _proxy.HandleAsync(context, api, ct);
            return;
        }

        if (api.Subresource == "log" && kind == ResourceCatalog.Pods && request.Method == "GET")
        {
            await _logs.HandleAsync(context, api, ct);
            return;
        }

        if (api.Subresource == "scale" && kind == ResourceCatalog.Deployments && api.Name is not null)
        {
            await ScaleAsync(context, api, kind, ct);
            return;
        }

        if (api.Subresource is not null && (!kind.Subresources.Contains(api.Subresource) || api.Subresource is "scale" or "log" or "proxy"))
        {
            throw new ApiException(404, "NotFound", "the server could not find the requested resource", new JsonObject());
        }

        var query = request.Query;
        var dryRun = query["dryRun"] == "All";
        if (api.Name is null)
        {
            await CollectionAsync(context, api, kind, dryRun, ct);
            return;
        }

        switch (request.Method)
        {
            case "GET":
                var obj = runtime.Api.Get(kind, api.Namespace, api.Name);
                await WriteObjectAsync(context, 200, kind, obj, ct);
                break;
            case "PUT":
                var body = await RequestBodies.ReadObjectAsync(request, kind, ct);
                TypeMeta.Resolve(kind, body);
                FieldValidation.Of(context, "UpdateOptions").CheckBody(kind, body);
                await WriteObjectAsync(context, 200, kind, runtime.Api.Replace(kind, api.Namespace, api.Name, body, api.Subresource, dryRun), ct);
                break;
            case "PATCH":
                var patch = await RequestBodies.ReadAsync(request, ct);
                var validation = FieldValidation.Of(context, "PatchOptions");
                var strategic = request.ContentType?.StartsWith("application/strategic-merge-patch+json", StringComparison.OrdinalIgnoreCase) == true;
                var (code, patched) = runtime.Api.Patch(
                    kind, api.Namespace, api.Name, request.ContentType ?? "", patch, api.Subresource, query["fieldManager"], dryRun,
                    next => validation.CheckPatched(kind, next, () => strategic ? FieldValidation.GoValue(patch) : next.ToJsonString()));
                await WriteObjectAsync(context, code, kind, patched, ct);
                break;
            case "DELETE":
                var options = await ReadDeleteOptionsAsync(request, ct);
                await StatusWriter.WriteJsonAsync(context.Response, 200, runtime.Api.Delete(kind, api.Namespace, api.Name, options), ct);
                break;
            default:
                throw new ApiException(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource");
        }
    }

    private async Task ScaleAsync(HttpContext context, ApiPath api, ResourceKind kind, CancellationToken ct)
    {
        var request = context.Request;
        var scale = request.Method switch
        {
            "GET" => _scale.Get(kind, api.Namespace, api.Name!),
            "PUT" => _scale.Replace(kind, api.Namespace, api.Name!, await RequestBodies.ReadAsync(request, ct) as JsonObject ?? throw ApiException.BadRequest("Object 'Kind' is missing in 'null'")),
            "PATCH" => _scale.Patch(kind, api.Namespace, api.Name!, request.ContentType ?? "", await RequestBodies.ReadAsync(request, ct)),
            _ => throw new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource"),
        };
        await StatusWriter.WriteJsonAsync(context.Response, 200, scale, ct);
    }

    private async Task CollectionAsync(HttpContext context, ApiPath api, ResourceKind kind, bool dryRun, CancellationToken ct)
    {
        var request = context.Request;
        switch (request.Method)
        {
            case "GET":
                var labels = LabelSelector.Parse(request.Query["labelSelector"]);
                var fields = FieldSelector.Parse(request.Query["fieldSelector"], kind);
                if (request.Query["watch"] is ["true" or "1"])
                {
                    await _watch.HandleAsync(context, kind, api.Namespace, labels, fields, ct);
                    return;
                }

                await ListAsync(context, kind, api.Namespace, labels, fields, ct);
                return;
            case "POST":
                var body = await RequestBodies.ReadObjectAsync(request, kind, ct);
                TypeMeta.Resolve(kind, body);
                FieldValidation.Of(context, "CreateOptions").CheckBody(kind, body);
                await WriteObjectAsync(context, 201, kind, runtime.Api.Create(kind, api.Namespace, body, dryRun), ct);
                return;
            case "DELETE":
                var selector = LabelSelector.Parse(request.Query["labelSelector"]);
                var fieldSelector = FieldSelector.Parse(request.Query["fieldSelector"], kind);
                var options = await ReadDeleteOptionsAsync(request, ct);
                var deleted = new JsonArray();
                foreach (var item in runtime.Api.Store.List(kind, api.Namespace, o => selector.Matches(o.At("metadata", "labels").StringMap()) && fieldSelector.Matches(o), selector.Equalities, selector.Alternatives).Items)
                {
                    var result = runtime.Api.Delete(kind, api.Namespace, item.Str("metadata", "name")!, options);
                    deleted.Add(result.Str("kind") == "Status" ? Strip(item) : Strip(result));
                }

                await StatusWriter.WriteJsonAsync(context.Response, 200, new JsonObject
                {
                    ["kind"] = kind.ListKind,
                    ["apiVersion"] = kind.ApiVersion,
                    ["metadata"] = new JsonObject { ["resourceVersion"] = runtime.Api.Store.Revision.ToString(CultureInfo.InvariantCulture) },
                    ["items"] = deleted,
                }, ct);
                return;
            default:
                throw new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
        }
    }

    private async Task ListAsync(HttpContext context, ResourceKind kind, string? ns, LabelSelector labels, FieldSelector fields, CancellationToken ct)
    {
        var query = context.Request.Query;
        var limit = query["limit"].Count > 0 && int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l > 0 ? l : (int?)null;
        List<byte[]> matching;
        long revision;
        int offset;
        string? snapshotId = null;
        if (query["continue"] is { Count: > 0 } token && !string.IsNullOrEmpty(token))
        {
            (matching, revision, snapshotId, offset) = runtime.Continues.Resolve(token!);
        }
        else
        {
            (matching, revision) = runtime.Api.Store.ListItems(kind, ns, o => labels.Matches(o.At("metadata", "labels").StringMap()) && fields.Matches(o), labels.Equalities, labels.Alternatives);
            offset = 0;
        }

        var page = limit is null ? matching.Skip(offset).ToList() : matching.Skip(offset).Take(limit.Value).ToList();
        string? next = null;
        var remaining = matching.Count - offset - page.Count;
        if (limit is not null && remaining > 0)
        {
            next = snapshotId is null ? runtime.Continues.Issue(matching, revision, offset + page.Count) : runtime.Continues.Next(snapshotId, revision, offset + page.Count);
        }
        else if (snapshotId is not null)
        {
            runtime.Continues.Complete(snapshotId);
        }

        var rvText = revision.ToString(CultureInfo.InvariantCulture);
        if (TableConverter.Wants(context.Request))
        {
            await StatusWriter.WriteJsonAsync(context.Response, 200, TableConverter.Convert(kind, page.Select(ParseItem), rvText, next, runtime.Clock.Now), ct);
            return;
        }

        var metadata = new JsonObject { ["resourceVersion"] = rvText };
        if (next is not null)
        {
            metadata["continue"] = next;
            metadata["remainingItemCount"] = remaining;
        }

        if (MetadataConverter.WantsList(context.Request))
        {
            await StatusWriter.WriteJsonAsync(context.Response, 200, MetadataConverter.List(page.Select(ParseItem), metadata), ct);
            return;
        }

        await StatusWriter.WriteListAsync(context.Response, new JsonObject
        {
            ["kind"] = kind.ListKind,
            ["apiVersion"] = kind.ApiVersion,
            ["metadata"] = metadata,
        }, page, ct);
    }

    private static JsonObject ParseItem(byte[] item) => JsonNode.Parse(item)!.AsObject();

    /// <summary>List items carry no kind/apiVersion on the wire.</summary>
    private static JsonObject Strip(JsonObject obj)
    {
        var copy = obj.CloneObject();
        copy.Remove("kind");
        copy.Remove("apiVersion");
        return copy;
    }

    private async Task WriteObjectAsync(HttpContext context, int code, ResourceKind kind, JsonObject obj, CancellationToken ct)
    {
        if (TableConverter.Wants(context.Request) && obj.Str("kind") == kind.Kind)
        {
            await StatusWriter.WriteJsonAsync(context.Response, code, TableConverter.Convert(kind, [obj], obj.Str("metadata", "resourceVersion") ?? "", null, runtime.Clock.Now), ct);
            return;
        }

        if (MetadataConverter.WantsObject(context.Request) && obj.Str("kind") == kind.Kind)
        {
            await StatusWriter.WriteJsonAsync(context.Response, code, MetadataConverter.Item(obj), ct);
            return;
        }

        await StatusWriter.WriteJsonAsync(context.Response, code, obj, ct);
    }

    private static async Task<DeleteOptions> ReadDeleteOptionsAsync(HttpRequest request, CancellationToken ct)
    {
        var body = await RequestBodies.ReadAsync(request, ct);
        var query = request.Query;
        long? grace = body.Num("gracePeriodSeconds");
        if (grace is null && query["gracePeriodSeconds"].Count > 0)
        {
            grace = ApiCore.ParseRevision(query["gracePeriodSeconds"], "gracePeriodSeconds");
        }

        return new DeleteOptions(
            body.Str("propagationPolicy") ?? (query["propagationPolicy"].Count > 0 ? query["propagationPolicy"].ToString() : null),
            grace,
            body.Str("preconditions", "uid"),
            body.Str("preconditions", "resourceVersion"),
            query["dryRun"] == "All" || body.At("dryRun") is JsonArray { Count: > 0 });
    }
}
