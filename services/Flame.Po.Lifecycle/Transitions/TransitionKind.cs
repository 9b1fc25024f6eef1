using System.Text.Json.Serialization;

namespace Flame.Po.Lifecycle.Transitions;

/// <summary>
/// The durable multi-step jobs of an analysis' lifecycle (docs/architecture.md#transitions). Which one is in flight
/// follows from the record alone (<see cref="TransitionPlan.InFlight"/>).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<TransitionKind>))]
public enum TransitionKind
{
    /// <summary>Start a deployment: Keycloak token and Secret, NetworkPolicies, Deployment, Service, then nginx once the pod has an IP.</summary>
    Start,

    /// <summary>Restart: archive the pod logs, delete the deployment's objects, wait out the back-off, start the next deployment.</summary>
    Restart,

    /// <summary>Stop or finish: archive, delete every object, delete the Keycloak client of an executed analysis.</summary>
    Stop,

    /// <summary>Delete: as a stop, then the Keycloak client and the record itself.</summary>
    Delete,
}
