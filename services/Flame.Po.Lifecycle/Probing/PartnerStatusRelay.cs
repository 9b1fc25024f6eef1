using Flame.Po.Integrations;
using Flame.Po.Integrations.Hub;
using Flame.Po.Lifecycle.Workloads;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Lifecycle.Probing;

/// <summary>
/// Pushes the partner nodes' execution statuses from the Hub into a running analysis
/// (<c>POST /analysis/partner_status</c>, docs/compatibility.md#partner-status), so that a partner's stop or failure reaches
/// it. A Hub outage only skips the push (the Hub client's circuit breaker keeps it cheap); it never fails the tick.
/// </summary>
public sealed class PartnerStatusRelay(IHubClient hub, AnalysisEndpoint endpoint, ILogger<PartnerStatusRelay> logger)
{
    public async Task RelayAsync(string analysisId, WorkloadNames names, CancellationToken cancellationToken)
    {
        if (!hub.IsConfigured)
        {
            return;
        }

        try
        {
            var statuses = await hub.GetPartnerStatusesAsync(analysisId, cancellationToken);
            if (statuses.Count > 0)
            {
                await endpoint.SendPartnerStatusAsync(names, statuses, cancellationToken);
            }
        }
        catch (Exception error) when (error is IntegrationUnavailableException or IntegrationRejectedException)
        {
            logger.LogDebug(error, "Partner statuses of analysis {AnalysisId} not relayed: {Reason}", analysisId, error.Message);
        }
    }
}
