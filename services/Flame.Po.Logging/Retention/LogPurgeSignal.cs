using Flame.Po.Persistence;

namespace Flame.Po.Logging.Retention;

/// <summary>Wakes <see cref="LogRetention"/> when this process applied a delete.</summary>
public sealed class LogPurgeSignal : WakeSignal;
