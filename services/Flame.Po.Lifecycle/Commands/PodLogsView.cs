using Flame.Po.Core.Contracts;

namespace Flame.Po.Lifecycle.Commands;

/// <summary>
/// The body of <c>/po/history</c> and <c>/po/logs</c> (docs/compatibility.md#rule-hub-adapter): per analysis id, one
/// log text per pod or container attempt, for the analysis and for its nginx.
/// </summary>
public sealed class PodLogsView
{
    public Dictionary<string, List<string>> Analysis { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<string>> Nginx { get; } = new(StringComparer.Ordinal);

    /// <summary>The shared contract the lifecycle's history and logs routes answer with.</summary>
    public PodLogsResponse ToResponse() => new(Analysis, Nginx);

    /// <summary>Appends to the analysis' lists, creating them (possibly empty) on first use.</summary>
    public void Add(string analysisId, IEnumerable<string> analysisLogs, IEnumerable<string> nginxLogs)
    {
        ListOf(Analysis, analysisId).AddRange(analysisLogs);
        ListOf(Nginx, analysisId).AddRange(nginxLogs);
    }

    private static List<string> ListOf(Dictionary<string, List<string>> logs, string analysisId)
    {
        if (!logs.TryGetValue(analysisId, out var list))
        {
            list = [];
            logs[analysisId] = list;
        }

        return list;
    }
}
