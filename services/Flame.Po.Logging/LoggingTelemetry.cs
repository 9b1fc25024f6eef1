using System.Diagnostics.Metrics;
using Flame.Po.Core.Contracts;

namespace Flame.Po.Logging;

/// <summary>
/// The logging service's metrics (docs/architecture.md#metrics-and-traces): streamed lines by outcome, the Hub backlog
/// and failed Hub deliveries. Labels are closed sets; the backlog is a number the delivery loop refreshes, so a scrape
/// never queries the database.
/// </summary>
public sealed class LoggingTelemetry
{
    public const string Name = "Flame.Po.Logging";

    private readonly Counter<long> _ingested;
    private readonly Counter<long> _deliveryFailures;
    private readonly Counter<long> _retentionDeleted;
    private long _backlog = -1;

    public LoggingTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(Name);
        _ingested = meter.CreateCounter<long>(
            "flame.po.log_lines.ingested",
            description: "Lines received on stream_logs and committed, by outcome (stored, duplicate, analysis_deleted).");
        meter.CreateObservableGauge(
            "flame.po.hub.backlog",
            ObserveBacklog,
            description: "Analyses whose status, progress or log lines are still to be delivered to the Hub (refreshed by the delivery loop).");
        _deliveryFailures = meter.CreateCounter<long>(
            "flame.po.hub.delivery_failures",
            description: "Hub deliveries that failed and were postponed or skipped, by reason (unavailable, rejected, no_analysis_node, line_rejected).");

        _retentionDeleted = meter.CreateCounter<long>(
            "flame.po.retention.deleted_rows",
            description: "Rows removed by delete and retention (docs/compatibility.md#delete-and-retention), by table (log_line, hub_sync, log_stream).");

        // Exported from the start (at 0), so rates and alerts see a series before the first line or failure.
        _ingested.Add(0, new KeyValuePair<string, object?>("outcome", OutcomeLabel(IngestResult.Stored)));
        foreach (var reason in DeliveryFailureReasons)
        {
            _deliveryFailures.Add(0, new KeyValuePair<string, object?>("reason", reason));
        }

        foreach (var table in RetentionTables)
        {
            _retentionDeleted.Add(0, new KeyValuePair<string, object?>("table", table));
        }
    }

    /// <summary>The <c>reason</c> values of <c>flame_po_hub_delivery_failures_total</c>.</summary>
    public static IReadOnlyList<string> DeliveryFailureReasons { get; } = ["unavailable", "rejected", "no_analysis_node", "line_rejected"];

    /// <summary>The <c>table</c> values of <c>flame_po_retention_deleted_rows_total</c> in the logging service.</summary>
    public static IReadOnlyList<string> RetentionTables { get; } = ["log_line", "hub_sync", "log_stream"];

    /// <param name="table">One of <see cref="RetentionTables"/>.</param>
    public void RetentionDeleted(string table, long rows)
    {
        if (rows > 0)
        {
            _retentionDeleted.Add(rows, new KeyValuePair<string, object?>("table", table));
        }
    }

    /// <summary>The outcomes of one committed batch of streamed lines.</summary>
    public void Ingested(IEnumerable<IngestResult> outcomes)
    {
        ArgumentNullException.ThrowIfNull(outcomes);
        foreach (var group in outcomes.GroupBy(o => o))
        {
            _ingested.Add(group.Count(), new KeyValuePair<string, object?>("outcome", OutcomeLabel(group.Key)));
        }
    }

    public void Backlog(long analyses) => Interlocked.Exchange(ref _backlog, analyses);

    /// <param name="reason">One of <c>unavailable</c>, <c>rejected</c>, <c>no_analysis_node</c>, <c>line_rejected</c>.</param>
    public void DeliveryFailed(string reason) => _deliveryFailures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public static string OutcomeLabel(IngestResult outcome) => outcome switch
    {
        IngestResult.Stored => "stored",
        IngestResult.Duplicate => "duplicate",
        IngestResult.AnalysisDeleted => "analysis_deleted",
        _ => "other",
    };

    private IEnumerable<Measurement<long>> ObserveBacklog()
    {
        var backlog = Interlocked.Read(ref _backlog);
        if (backlog >= 0)
        {
            yield return new Measurement<long>(backlog);
        }
    }
}
