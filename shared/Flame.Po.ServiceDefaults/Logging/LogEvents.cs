using Microsoft.Extensions.Logging;

namespace Flame.Po.ServiceDefaults.Logging;

/// <summary>
/// The two custom categories of the PO's logs (docs/compatibility.md#po-logs). They are logged at Information with
/// these event ids and written with the level names <c>ACTION</c> and <c>STATUS_LOOP</c>, as existing log queries
/// expect.
/// </summary>
public static class LogEvents
{
    public static readonly EventId Action = new(21, "ACTION");
    public static readonly EventId StatusLoop = new(22, "STATUS_LOOP");
}
