namespace Flame.Po.Dapr;

/// <summary>Marks an app (api, lifecycle, logging) as composed into this process.</summary>
public sealed record HostedApp(string AppId);
