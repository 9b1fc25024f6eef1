namespace Flame.Po.FootprintFloor;

/// <summary>
/// What the floor process loads and uses, cumulatively: each level adds one library of the PO's stack, used the way
/// an idle PO uses it. <c>FLOOR_LEVEL</c> selects the level (default <see cref="AspNetCore"/>).
/// </summary>
public enum FloorLevel
{
    /// <summary>ASP.NET Core minimal API answering one route.</summary>
    AspNetCore = 0,

    /// <summary>+ Npgsql: a data source and a query every 5 s (the outbox and the lease loops of an idle PO).</summary>
    Npgsql = 1,

    /// <summary>+ OpenTelemetry metrics (ASP.NET Core, HttpClient, runtime, Npgsql) with the Prometheus endpoint.</summary>
    OpenTelemetry = 2,

    /// <summary>+ JwtBearer: one RS256 token validated.</summary>
    JwtBearer = 3,

    /// <summary>+ KubernetesClient: a client, and a labelled pod list every 10 s (the status loop's tick).</summary>
    KubernetesClient = 4,

    /// <summary>+ Dapr.AspNetCore: a DaprClient, the CloudEvents middleware and the subscribe handler.</summary>
    Dapr = 5,
}
