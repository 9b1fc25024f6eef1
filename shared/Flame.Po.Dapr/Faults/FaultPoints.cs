using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Flame.Po.Dapr.Faults;

/// <summary>
/// Named points between the steps of create, restart, stop and delete, and in the embedded bus, where tests make the process die
/// (<c>PO_FAULT_POINT=after:ArchiveDeployment</c>), to prove that every step is resumable. Every point is a named
/// constant: the bus's here, the lifecycle's in <c>LifecycleFaultPoints</c>. Unset in production: then
/// <see cref="Reach"/> only finds that nothing is armed and returns.
/// </summary>
public sealed class FaultPoints(IConfiguration configuration, ILogger<FaultPoints> logger)
{
    public const string Variable = "PO_FAULT_POINT";

    /// <summary>The embedded bus took a batch of stored messages and is about to deliver them.</summary>
    public const string BeforeEventDelivery = "before:EventDelivery";
    private readonly string? _armed = string.IsNullOrWhiteSpace(configuration[Variable]) ? null : configuration[Variable]!.Trim();

    public void Reach(string name)
    {
        if (_armed is not null && string.Equals(_armed, name, StringComparison.Ordinal))
        {
            logger.LogCritical("Fault point {FaultPoint} reached: the process kills itself now (test only)", name);
            System.Diagnostics.Process.GetCurrentProcess().Kill();
        }
    }
}
