using System.Text;
using System.Text.Json.Nodes;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Scenarios;

/// <summary>
/// The analysis container's HTTP API on port 8000 (docs/compatibility.md#analysis-sdk): <c>/healthz</c>,
/// <c>/partner_status</c>, <c>/token_refresh</c>. One instance per running container; the scenario drives its status
/// and progress.
/// </summary>
public sealed class AnalysisApp(TimeProvider time, string? token)
{
    private readonly Lock _gate = new();
    private readonly List<JsonObject> _partnerStatusCalls = [];

    public string Status { get; private set; } = "executing";

    public int Progress { get; private set; }

    public string? Token { get; private set; } = token;

    /// <summary>False while the SDK is still initialising (slow start): the port refuses connections.</summary>
    public bool Listening { get; set; }

    /// <summary>True when the API accepts connections but never answers (scenario <c>hang</c>).</summary>
    public bool Hung { get; set; }

    public IReadOnlyList<JsonObject> PartnerStatusCalls
    {
        get
        {
            lock (_gate)
            {
                return _partnerStatusCalls.ToList();
            }
        }
    }

    public void SetStatus(string status, int? progress = null)
    {
        lock (_gate)
        {
            Status = status;
            if (progress is { } p && p > Progress)
            {
                Progress = Math.Min(100, p);
            }
        }
    }

    /// <summary>Seconds until the held token expires; 0 when unknown or expired (as the SDK reports it).</summary>
    public long TokenRemainingSeconds()
    {
        var exp = ExpiryOf(Token);
        return exp is null ? 0 : Math.Max(0, (long)(exp.Value - time.GetUtcNow()).TotalSeconds);
    }

    private static DateTimeOffset? ExpiryOf(string? jwt)
    {
        var parts = jwt?.Split('.');
        if (parts is not { Length: 3 })
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            var exp = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(payload))).Num("exp");
            return exp is null ? null : DateTimeOffset.FromUnixTimeSeconds(exp.Value);
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public (int Code, JsonNode Body) Handle(string method, string path, JsonNode? body)
    {
        switch (method, path.TrimEnd('/'))
        {
            case ("GET", "/healthz"):
                lock (_gate)
                {
                    return (200, new JsonObject { ["status"] = Status, ["token_remaining_time"] = TokenRemainingSeconds() });
                }

            case ("POST", "/partner_status"):
                lock (_gate)
                {
                    _partnerStatusCalls.Add(body as JsonObject ?? []);
                    return (200, new JsonObject { ["status"] = Status });
                }

            case ("POST", "/token_refresh"):
                var newToken = body.Str("token");
                if (string.IsNullOrEmpty(newToken))
                {
                    return (400, new JsonObject { ["detail"] = "No token provided" });
                }

                if (ExpiryOf(newToken) is null)
                {
                    return (400, new JsonObject { ["detail"] = "Invalid token" });
                }

                lock (_gate)
                {
                    Token = newToken;
                }

                return (200, new JsonObject { ["message"] = "Token refreshed successfully" });
            case ("POST", "/webhook"):
                return (200, new JsonObject { ["message"] = "ok" });
            default:
                return (404, new JsonObject { ["detail"] = "Not Found" });
        }
    }
}
