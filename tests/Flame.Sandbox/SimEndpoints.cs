using Flame.Sandbox.Faults;

namespace Flame.Sandbox;

/// <summary>Fault injection and introspection over HTTP (<c>/_sim/...</c>), for runs outside the test process.</summary>
public static class SimEndpoints
{
    public static void Map(IEndpointRouteBuilder app, FaultInjector faults, RequestCounters counters, SandboxObjects objects)
    {
        app.MapGet("/_sim/faults", () => Results.Json(faults.Rules));
        app.MapPost("/_sim/faults", (FaultRule rule) =>
        {
            faults.Add(rule);
            return Results.Created("/_sim/faults", rule);
        });
        app.MapDelete("/_sim/faults", () =>
        {
            faults.Clear();
            return Results.NoContent();
        });
        app.MapGet("/_sim/counters", () => Results.Json(counters.Snapshot()));
        app.MapDelete("/_sim/counters", () =>
        {
            counters.Reset();
            return Results.NoContent();
        });
        app.MapGet("/_sim/objects", () => Results.Json(objects.Dump()));
    }
}
