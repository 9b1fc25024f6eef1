using System.Globalization;
using System.Text.Json.Nodes;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Hub;

/// <summary>The Hub auth service (<c>POST /token</c>) and the core API routes the PO calls (docs/compatibility.md#hub).</summary>
public static class HubEndpoints
{
    public static void MapAuth(IEndpointRouteBuilder app, string prefix, HubState hub)
    {
        app.MapPost($"{prefix}/token", async (HttpRequest request) =>
        {
            JsonNode? body;
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync();
                body = new JsonObject { ["grant_type"] = form["grant_type"].ToString(), ["client_id"] = form["client_id"].ToString(), ["client_secret"] = form["client_secret"].ToString() };
            }
            else
            {
                body = await JsonNode.ParseAsync(request.Body);
            }

            if (body.Str("grant_type") != "client_credentials")
            {
                return Error(400, "invalid_request", "The grant type is not supported.");
            }

            if (body.Str("client_id") != hub.ClientId || body.Str("client_secret") != hub.ClientSecret)
            {
                return Error(400, "invalid_client", "The client credentials are invalid.");
            }

            return Results.Json(new JsonObject
            {
                ["access_token"] = hub.IssueToken(),
                ["expires_in"] = (long)hub.TokenLifetime.TotalSeconds,
                ["token_type"] = "Bearer",
                ["scope"] = "global",
            });
        });
    }

    public static void MapCore(IEndpointRouteBuilder app, string prefix, HubState hub)
    {
        var core = app.MapGroup(prefix);
        core.MapGet("/nodes", (HttpRequest request) => Authorized(hub, request, () =>
        {
            var (offset, limit) = Paging(request);
            var clientId = request.Query["filter[client_id]"].ToString();
            var (page, total) = hub.Nodes(n => clientId.Length == 0 || n.Str("client_id") == clientId, offset, limit);
            return Results.Json(Collection(page, total, offset, limit));
        }));
        core.MapGet("/analysis-nodes", (HttpRequest request) => Authorized(hub, request, () =>
        {
            var (offset, limit) = Paging(request);
            var analysisId = request.Query["filter[analysis_id]"].ToString();
            var nodeId = request.Query["filter[node_id]"].ToString();
            var include = request.Query["include"].ToString().Split(',').Contains("node");
            var (page, total) = hub.FindAnalysisNodes(
                a => (analysisId.Length == 0 || a.Str("analysis_id") == analysisId) && (nodeId.Length == 0 || a.Str("node_id") == nodeId),
                offset,
                limit,
                include);
            return Results.Json(Collection(page, total, offset, limit));
        }));
        core.MapPost("/analysis-nodes/{id}", async (string id, HttpRequest request) =>
        {
            if (Unauthorized(hub, request) is { } denied)
            {
                return denied;
            }

            var body = await JsonNode.ParseAsync(request.Body) as JsonObject ?? [];
            if (body.Str("execution_status") is { } status && !HubState.ExecutionStatuses.Contains(status))
            {
                return Error(400, "VALIDATION_ERROR", $"The parameter execution_status is invalid: {status}");
            }

            if (body.Num("execution_progress") is { } progress && progress is < 0 or > 100)
            {
                return Error(400, "VALIDATION_ERROR", "The parameter execution_progress must be between 0 and 100");
            }

            var updated = hub.Update(id, body);
            return updated is null ? Error(404, "NOT_FOUND", $"The analysis-node {id} was not found.") : Results.Json(updated, statusCode: 202);
        });
        core.MapPost("/analysis-node-logs", async (HttpRequest request) =>
        {
            if (Unauthorized(hub, request) is { } denied)
            {
                return denied;
            }

            var body = await JsonNode.ParseAsync(request.Body) as JsonObject ?? [];
            if (string.IsNullOrEmpty(body.Str("analysis_id")) || string.IsNullOrEmpty(body.Str("node_id")))
            {
                return Error(400, "VALIDATION_ERROR", "analysis_id and node_id are required");
            }

            if (body.Str("level") is { } level && !HubState.LogLevels.Contains(level))
            {
                return Error(400, "VALIDATION_ERROR", $"The parameter level is invalid: {level}");
            }

            return Results.Json(hub.AddLog(body), statusCode: 202);
        });
        core.MapGet("/_sim/calls", () => Results.Json(hub.Calls, JsonPath.Web));
        core.MapPost("/_sim/analyses", async (HttpRequest request) =>
        {
            var body = await JsonNode.ParseAsync(request.Body);
            var analysisId = body.Str("analysis_id");
            if (string.IsNullOrEmpty(analysisId))
            {
                return Error(400, "VALIDATION_ERROR", "analysis_id is required");
            }

            var ids = hub.RegisterAnalysis(analysisId, (int)(body.Num("partners") ?? 1));
            return Results.Json(new JsonObject { ["analysis_node_ids"] = new JsonArray(ids.Select(i => (JsonNode)i).ToArray()), ["node_id"] = hub.OwnNodeId });
        });
        core.MapPut("/_sim/analysis-nodes/{id}/execution_status", async (string id, HttpRequest request) =>
        {
            var body = await JsonNode.ParseAsync(request.Body);
            hub.SetExecutionStatus(id, body.Str("execution_status"));
            return Results.NoContent();
        });
    }

    private static (int Offset, int Limit) Paging(HttpRequest request)
    {
        var limit = int.TryParse(request.Query["page[limit]"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? Math.Clamp(l, 1, 500) : 50;
        var offset = int.TryParse(request.Query["page[offset]"], NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : 0;
        return (offset, limit);
    }

    private static JsonObject Collection(List<JsonObject> page, int total, int offset, int limit) => new()
    {
        ["data"] = new JsonArray(page.Select(p => (JsonNode)p).ToArray()),
        ["meta"] = new JsonObject { ["total"] = total, ["limit"] = limit, ["offset"] = offset },
    };

    private static IResult? Unauthorized(HubState hub, HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && hub.IsValidToken(header["Bearer ".Length..])
            ? null
            : Error(401, "UNAUTHORIZED", "The request is not authenticated.");
    }

    private static IResult Authorized(HubState hub, HttpRequest request, Func<IResult> then) => Unauthorized(hub, request) ?? then();

    private static IResult Error(int code, string error, string message) =>
        Results.Json(new JsonObject { ["statusCode"] = code, ["code"] = error, ["message"] = message }, statusCode: code);
}
