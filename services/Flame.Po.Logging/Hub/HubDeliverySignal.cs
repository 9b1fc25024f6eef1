using Flame.Po.Persistence;

namespace Flame.Po.Logging.Hub;

/// <summary>Wakes the Hub delivery loop when this process stored something for the Hub.</summary>
public sealed class HubDeliverySignal : WakeSignal;
