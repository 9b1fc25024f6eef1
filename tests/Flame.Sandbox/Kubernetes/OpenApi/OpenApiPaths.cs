using System.Text.Json.Nodes;

namespace Flame.Sandbox.Kubernetes.OpenApi;

/// <summary>
/// The <c>paths</c> of a group-version's OpenAPI v3 document: the URLs and operations the sandbox serves for each
/// kind, with the apiserver's operation ids, <c>x-kubernetes-action</c>, <c>x-kubernetes-group-version-kind</c> and
/// the query parameters the sandbox honours (kubectl looks for <c>fieldValidation</c> on PATCH to trust the server
/// with validation).
/// </summary>
public static class OpenApiPaths
{
    private static readonly string[] PatchTypes = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];

    public static JsonObject For(IReadOnlyList<ResourceKind> kinds)
    {
        var paths = new JsonObject();
        foreach (var kind in kinds)
        {
            var root = kind.Group.Length == 0 ? $"/api/{kind.Version}" : $"/apis/{kind.Group}/{kind.Version}";
            var scope = kind.Namespaced ? $"{root}/namespaces/{{namespace}}/{kind.Plural}" : $"{root}/{kind.Plural}";
            var id = OperationPrefix(kind);
            var ns = kind.Namespaced ? "Namespaced" : "";
            var scopeParameters = kind.Namespaced ? new JsonArray(NamespaceParameter()) : new JsonArray();

            paths[scope] = new JsonObject
            {
                ["get"] = Operation(kind, "list", $"list{id}{ns}{kind.Kind}", $"list or watch objects of kind {kind.Kind}", ListParameters(), null, Responses(kind.ListKind, kind, 200)),
                ["post"] = Operation(kind, "post", $"create{id}{ns}{kind.Kind}", $"create a {kind.Kind}", WriteParameters(), Body(kind), Responses(kind.Kind, kind, 200, 201, 202)),
                ["delete"] = Operation(kind, "deletecollection", $"delete{id}Collection{ns}{kind.Kind}", $"delete collection of {kind.Kind}", Concat(ListParameters(), DeleteParameters()), DeleteBody(), StatusResponses()),
                ["parameters"] = scopeParameters.DeepClone(),
            };
            if (kind.Namespaced)
            {
                paths[$"{root}/{kind.Plural}"] = new JsonObject
                {
                    ["get"] = Operation(kind, "list", $"list{id}{kind.Kind}ForAllNamespaces", $"list or watch objects of kind {kind.Kind}", ListParameters(), null, Responses(kind.ListKind, kind, 200)),
                };
            }

            var item = $"{scope}/{{name}}";
            paths[item] = ItemPath(kind, $"{id}{ns}{kind.Kind}", $"the specified {kind.Kind}", ItemParameters(kind));
            foreach (var sub in kind.Subresources)
            {
                switch (sub)
                {
                    case "status":
                        paths[$"{item}/status"] = ItemPath(kind, $"{id}{ns}{kind.Kind}Status", $"status of the specified {kind.Kind}", ItemParameters(kind), withDelete: false);
                        break;
                    case "log":
                        paths[$"{item}/log"] = new JsonObject
                        {
                            ["get"] = Operation(kind, "get", $"read{id}{ns}{kind.Kind}Log", $"read log of the specified {kind.Kind}", LogParameters(), null, TextResponse()),
                            ["parameters"] = ItemParameters(kind),
                        };
                        break;
                    case "proxy":
                        paths[$"{item}/proxy"] = ProxyPath(kind, $"{id}{ns}{kind.Kind}Proxy", ItemParameters(kind));
                        paths[$"{item}/proxy/{{path}}"] = ProxyPath(kind, $"{id}{ns}{kind.Kind}ProxyWithPath", Concat(ItemParameters(kind), [PathParameter("path", "path to the resource")]));
                        break;
                    case "scale":
                        paths[$"{item}/scale"] = ScalePath(kind, $"{id}{ns}{kind.Kind}Scale", ItemParameters(kind));
                        break;
                    default:
                        break;
                }
            }
        }

        return paths;
    }

    /// <summary>get/put/patch of the <c>autoscaling/v1</c> Scale of a kind.</summary>
    private static JsonObject ScalePath(ResourceKind kind, string id, JsonArray parameters)
    {
        var scale = new ResourceKind("autoscaling", "v1", "scale", "scale", "Scale", kind.Namespaced, [], []);
        var ok = new JsonObject
        {
            ["200"] = new JsonObject
            {
                ["description"] = "OK",
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = OpenApiSchemas.Ref(typeof(k8s.Models.V1Scale)) } },
            },
            ["401"] = new JsonObject { ["description"] = "Unauthorized" },
        };
        var body = new JsonObject
        {
            ["content"] = new JsonObject { ["*/*"] = new JsonObject { ["schema"] = OpenApiSchemas.Ref(typeof(k8s.Models.V1Scale)) } },
            ["required"] = true,
        };
        var patchBody = PatchBody();
        patchBody["content"]!.AsObject().Remove("application/apply-patch+yaml");
        return new JsonObject
        {
            ["get"] = WithGvk(Operation(kind, "get", $"read{id}", $"read scale of the specified {kind.Kind}", [], null, ok.DeepClone().AsObject()), scale),
            ["put"] = WithGvk(Operation(kind, "put", $"replace{id}", $"replace scale of the specified {kind.Kind}", [], body, ok.DeepClone().AsObject()), scale),
            ["patch"] = WithGvk(Operation(kind, "patch", $"patch{id}", $"partially update scale of the specified {kind.Kind}", [], patchBody, ok), scale),
            ["parameters"] = parameters,
        };
    }

    private static JsonObject WithGvk(JsonObject operation, ResourceKind gvk)
    {
        operation["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = gvk.Group, ["kind"] = gvk.Kind, ["version"] = gvk.Version };
        return operation;
    }

    private static JsonObject ItemPath(ResourceKind kind, string id, string what, JsonArray parameters, bool withDelete = true)
    {
        var path = new JsonObject
        {
            ["get"] = Operation(kind, "get", $"read{id}", $"read {what}", [], null, Responses(kind.Kind, kind, 200)),
            ["put"] = Operation(kind, "put", $"replace{id}", $"replace {what}", WriteParameters(), Body(kind), Responses(kind.Kind, kind, 200, 201)),
            ["patch"] = Operation(kind, "patch", $"patch{id}", $"partially update {what}", Concat(WriteParameters(), [Query("force", "boolean", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.")]), PatchBody(), Responses(kind.Kind, kind, 200, 201)),
        };
        if (withDelete)
        {
            var deleted = kind.ReturnsDeletedObject ? Responses(kind.Kind, kind, 200, 202) : StatusResponses();
            path["delete"] = Operation(kind, "delete", $"delete{id}", $"delete {what}", DeleteParameters(), DeleteBody(), deleted);
        }

        path["parameters"] = parameters;
        return path;
    }

    private static JsonObject ProxyPath(ResourceKind kind, string id, JsonArray parameters)
    {
        var path = new JsonObject();
        foreach (var method in new[] { "get", "put", "post", "patch", "delete" })
        {
            var verb = char.ToUpperInvariant(method[0]) + method[1..];
            var operation = Operation(kind, "connect", $"connect{verb}{id}", $"connect {method.ToUpperInvariant()} requests to proxy of {kind.Kind}", [], null, TextResponse());
            operation["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = kind.Group, ["kind"] = $"{kind.Kind}ProxyOptions", ["version"] = kind.Version };
            path[method] = operation;
        }

        path["parameters"] = parameters;
        return path;
    }

    private static JsonArray Concat(params JsonArray[] parts) => new(parts.SelectMany(p => p).Select(n => n?.DeepClone()).ToArray());

    /// <summary>The short group name the apiserver uses in operation ids and tags: core, apps, networking.</summary>
    private static string ShortGroup(ResourceKind kind) => kind.Group.Length == 0 ? "core" : kind.Group.Split('.')[0];

    /// <summary>E.g. <c>CoreV1</c>, <c>AppsV1</c>, <c>NetworkingV1</c>.</summary>
    private static string OperationPrefix(ResourceKind kind) =>
        char.ToUpperInvariant(ShortGroup(kind)[0]) + ShortGroup(kind)[1..] + char.ToUpperInvariant(kind.Version[0]) + kind.Version[1..];

    private static JsonObject Operation(ResourceKind kind, string action, string operationId, string description, JsonArray parameters, JsonObject? requestBody, JsonObject responses)
    {
        var operation = new JsonObject
        {
            ["tags"] = new JsonArray($"{ShortGroup(kind)}_{kind.Version}"),
            ["description"] = description,
            ["operationId"] = operationId,
        };
        if (parameters.Count > 0)
        {
            operation["parameters"] = parameters;
        }

        if (requestBody is not null)
        {
            operation["requestBody"] = requestBody;
        }

        operation["responses"] = responses;
        operation["x-kubernetes-action"] = action;
        operation["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = kind.Group, ["kind"] = kind.Kind, ["version"] = kind.Version };
        return operation;
    }

    private static JsonObject Body(ResourceKind kind) => new()
    {
        ["content"] = new JsonObject { ["*/*"] = new JsonObject { ["schema"] = OpenApiSchemas.Ref(Schema.ModelTypes.For(kind)) } },
        ["required"] = true,
    };

    private static JsonObject PatchBody() => new()
    {
        ["content"] = new JsonObject(PatchTypes.Select(t => KeyValuePair.Create(t, (JsonNode?)new JsonObject
        {
            ["schema"] = new JsonObject { ["$ref"] = $"#/components/schemas/{OpenApiSchemas.PatchSchema}" },
        }))),
        ["required"] = true,
    };

    private static JsonObject DeleteBody() => new()
    {
        ["content"] = new JsonObject { ["*/*"] = new JsonObject { ["schema"] = OpenApiSchemas.Ref(typeof(k8s.Models.V1DeleteOptions)) } },
    };

    private static JsonObject Responses(string kindName, ResourceKind kind, params int[] codes)
    {
        var type = Schema.ModelTypes.For(kind);
        var schemaType = kindName == kind.Kind ? type : type.Assembly.GetType(type.FullName + "List")!;
        var responses = new JsonObject();
        foreach (var code in codes)
        {
            responses[code.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["description"] = code switch { 201 => "Created", 202 => "Accepted", _ => "OK" },
                ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = OpenApiSchemas.Ref(schemaType) } },
            };
        }

        responses["401"] = new JsonObject { ["description"] = "Unauthorized" };
        return responses;
    }

    private static JsonObject StatusResponses() => new()
    {
        ["200"] = new JsonObject
        {
            ["description"] = "OK",
            ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = OpenApiSchemas.Ref(typeof(k8s.Models.V1Status)) } },
        },
        ["401"] = new JsonObject { ["description"] = "Unauthorized" },
    };

    private static JsonObject TextResponse() => new()
    {
        ["200"] = new JsonObject
        {
            ["description"] = "OK",
            ["content"] = new JsonObject { ["*/*"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } } },
        },
        ["401"] = new JsonObject { ["description"] = "Unauthorized" },
    };

    private static JsonArray ItemParameters(ResourceKind kind) =>
        kind.Namespaced ? [PathParameter("name", $"name of the {kind.Kind}"), NamespaceParameter()] : [PathParameter("name", $"name of the {kind.Kind}")];

    private static JsonObject NamespaceParameter() => PathParameter("namespace", "object name and auth scope, such as for teams and projects");

    private static JsonObject PathParameter(string name, string description) => new()
    {
        ["name"] = name,
        ["in"] = "path",
        ["description"] = description,
        ["required"] = true,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    private static JsonObject Query(string name, string type, string description) => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["description"] = description,
        ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true },
    };

    private static JsonArray WriteParameters() =>
    [
        Query("dryRun", "string", "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed"),
        Query("fieldManager", "string", "fieldManager is a name associated with the actor or entity that is making these changes."),
        Query("fieldValidation", "string", "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown fields. Valid values are: - Ignore: unknown fields are dropped silently. - Warn: unknown fields are dropped and a warning is sent for each (the default). - Strict: the request fails with a BadRequest error if any unknown field is present."),
    ];

    private static JsonArray ListParameters() =>
    [
        Query("allowWatchBookmarks", "boolean", "allowWatchBookmarks requests watch events with type \"BOOKMARK\"."),
        Query("continue", "string", "The continue option should be set when retrieving more results from the server."),
        Query("fieldSelector", "string", "A selector to restrict the list of returned objects by their fields."),
        Query("labelSelector", "string", "A selector to restrict the list of returned objects by their labels."),
        Query("limit", "integer", "limit is a maximum number of responses to return for a list call."),
        Query("resourceVersion", "string", "resourceVersion sets a constraint on what resource versions a request may be served from."),
        Query("timeoutSeconds", "integer", "Timeout for the list/watch call."),
        Query("watch", "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications."),
    ];

    private static JsonArray DeleteParameters() =>
    [
        Query("dryRun", "string", "When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed"),
        Query("gracePeriodSeconds", "integer", "The duration in seconds before the object should be deleted."),
        Query("propagationPolicy", "string", "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
    ];

    private static JsonArray LogParameters() =>
    [
        Query("container", "string", "The container for which to stream logs."),
        Query("follow", "boolean", "Follow the log stream of the pod."),
        Query("limitBytes", "integer", "If set, the number of bytes to read from the server before terminating the log output."),
        Query("previous", "boolean", "Return previous terminated container logs."),
        Query("sinceSeconds", "integer", "A relative time in seconds before the current time from which to show logs."),
        Query("sinceTime", "string", "An RFC3339 timestamp from which to show logs."),
        Query("tailLines", "integer", "If set, the number of lines from the end of the logs to show."),
        Query("timestamps", "boolean", "If true, add an RFC3339 timestamp at the beginning of every line of log output."),
    ];
}
