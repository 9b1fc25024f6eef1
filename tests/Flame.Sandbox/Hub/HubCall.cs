namespace Flame.Sandbox.Hub;

/// <summary>One recorded request to the Hub (core or auth), for assertions.</summary>
public sealed record HubCall(string Method, string Path, string Query, string? Body, int StatusCode, DateTimeOffset Time);
