using System.Text.Json.Nodes;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Hub;

/// <summary>
/// The FLAME core API resources the PO touches (docs/compatibility.md#hub): nodes, analysis-nodes, analysis-node logs,
/// plus the auth service's client credentials and the log of every call.
/// </summary>
public sealed class HubState
{
    public static readonly string[] ExecutionStatuses = ["starting", "started", "stopping", "stopped", "executing", "executed", "failed"];
    public static readonly string[] LogLevels = ["emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"];

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly List<JsonObject> _nodes = [];
    private readonly List<JsonObject> _analysisNodes = [];
    private readonly List<JsonObject> _logs = [];
    private readonly List<HubCall> _calls = [];
    private readonly Dictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);

    public HubState(TimeProvider time, int seed, string clientId, string clientSecret, TimeSpan tokenLifetime)
    {
        _time = time;
        _random = new Random(seed);
        ClientId = clientId;
        ClientSecret = clientSecret;
        TokenLifetime = tokenLifetime;
        OwnNodeId = AddNode("sandbox-node", clientId);
    }

    public string ClientId { get; }

    public string ClientSecret { get; }

    public TimeSpan TokenLifetime { get; set; }

    public string OwnNodeId { get; }

    public IReadOnlyList<HubCall> Calls
    {
        get
        {
            lock (_gate)
            {
                return _calls.ToList();
            }
        }
    }

    public IReadOnlyList<JsonObject> Logs
    {
        get
        {
            lock (_gate)
            {
                return _logs.Select(l => l.CloneObject()).ToList();
            }
        }
    }

    public void Record(HubCall call)
    {
        lock (_gate)
        {
            _calls.Add(call);
        }
    }

    public void ClearCalls()
    {
        lock (_gate)
        {
            _calls.Clear();
        }
    }

    private string NewId()
    {
        var bytes = new byte[16];
        _random.NextBytes(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString();
    }

    private string Now() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public string AddNode(string name, string? clientId = null)
    {
        lock (_gate)
        {
            var id = NewId();
            _nodes.Add(new JsonObject
            {
                ["id"] = id,
                ["name"] = name,
                ["external_name"] = null,
                ["hidden"] = false,
                ["type"] = "default",
                ["online"] = true,
                ["client_id"] = clientId ?? NewId(),
                ["registry_id"] = null,
                ["registry_project_id"] = null,
                ["realm_id"] = NewId(),
                ["robot_id"] = null,
                ["created_at"] = Now(),
                ["updated_at"] = Now(),
            });
            return id;
        }
    }

    /// <summary>
    /// Registers an analysis on this node and on <paramref name="partners"/> other nodes; returns the
    /// analysis-node ids, own entry first.
    /// </summary>
    public IReadOnlyList<string> RegisterAnalysis(string analysisId, int partners = 1)
    {
        var nodeIds = new List<string> { OwnNodeId };
        for (var i = 0; i < partners; i++)
        {
            nodeIds.Add(AddNode($"partner-{i + 1}"));
        }

        lock (_gate)
        {
            return nodeIds.Select(nodeId =>
            {
                var existing = _analysisNodes.FirstOrDefault(a => a.Str("analysis_id") == analysisId && a.Str("node_id") == nodeId);
                if (existing is not null)
                {
                    return existing.Str("id")!;
                }

                var id = NewId();
                _analysisNodes.Add(new JsonObject
                {
                    ["id"] = id,
                    ["approval_status"] = "approved",
                    ["execution_status"] = null,
                    ["execution_progress"] = null,
                    ["comment"] = null,
                    ["artifact_tag"] = null,
                    ["artifact_digest"] = null,
                    ["analysis_id"] = analysisId,
                    ["analysis_realm_id"] = NewId(),
                    ["node_id"] = nodeId,
                    ["node_realm_id"] = NewId(),
                    ["created_at"] = Now(),
                    ["updated_at"] = Now(),
                });
                return id;
            }).ToList();
        }
    }

    public JsonObject? AnalysisNode(string analysisId, string nodeId)
    {
        lock (_gate)
        {
            return _analysisNodes.FirstOrDefault(a => a.Str("analysis_id") == analysisId && a.Str("node_id") == nodeId)?.CloneObject();
        }
    }

    public IReadOnlyList<JsonObject> AnalysisNodes(string analysisId)
    {
        lock (_gate)
        {
            return _analysisNodes.Where(a => a.Str("analysis_id") == analysisId).Select(a => a.CloneObject()).ToList();
        }
    }

    /// <summary>Sets a partner's execution status (null allowed, as the Hub reports it).</summary>
    public void SetExecutionStatus(string analysisNodeId, string? status)
    {
        lock (_gate)
        {
            var entry = _analysisNodes.First(a => a.Str("id") == analysisNodeId);
            entry["execution_status"] = status;
            entry["updated_at"] = Now();
        }
    }

    public string IssueToken()
    {
        lock (_gate)
        {
            var token = Convert.ToHexStringLower(Guid.Parse(NewId()).ToByteArray()) + Convert.ToHexStringLower(Guid.Parse(NewId()).ToByteArray());
            _tokens[token] = _time.GetUtcNow() + TokenLifetime;
            return token;
        }
    }

    public bool IsValidToken(string token)
    {
        lock (_gate)
        {
            return _tokens.TryGetValue(token, out var expiry) && expiry > _time.GetUtcNow();
        }
    }

    public (List<JsonObject> Page, int Total) Nodes(Func<JsonObject, bool> filter, int offset, int limit)
    {
        lock (_gate)
        {
            var all = _nodes.Where(filter).ToList();
            return (all.Skip(offset).Take(limit).Select(n => n.CloneObject()).ToList(), all.Count);
        }
    }

    public (List<JsonObject> Page, int Total) FindAnalysisNodes(Func<JsonObject, bool> filter, int offset, int limit, bool include)
    {
        lock (_gate)
        {
            var all = _analysisNodes.Where(filter).ToList();
            var page = all.Skip(offset).Take(limit).Select(a =>
            {
                var copy = a.CloneObject();
                if (include)
                {
                    copy["analysis"] = new JsonObject { ["id"] = a.Str("analysis_id"), ["name"] = null, ["project_id"] = null };
                    copy["node"] = _nodes.FirstOrDefault(n => n.Str("id") == a.Str("node_id"))?.DeepClone();
                }

                return copy;
            }).ToList();
            return (page, all.Count);
        }
    }

    public JsonObject? Update(string id, JsonObject changes)
    {
        lock (_gate)
        {
            var entry = _analysisNodes.FirstOrDefault(a => a.Str("id") == id);
            if (entry is null)
            {
                return null;
            }

            foreach (var key in new[] { "execution_status", "execution_progress" })
            {
                if (changes.ContainsKey(key))
                {
                    entry[key] = changes[key]?.DeepClone();
                }
            }

            entry["updated_at"] = Now();
            return entry.CloneObject();
        }
    }

    public JsonObject AddLog(JsonObject body)
    {
        lock (_gate)
        {
            var log = body.CloneObject();
            log["id"] = NewId();
            log["created_at"] = Now();
            _logs.Add(log);
            return log.CloneObject();
        }
    }
}
