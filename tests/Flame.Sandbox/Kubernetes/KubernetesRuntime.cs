using Flame.Sandbox.Faults;
using Flame.Sandbox.Scenarios;
using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary>Everything the Kubernetes endpoints share.</summary>
public sealed record KubernetesRuntime(
    ApiCore Api,
    ContinueTokens Continues,
    PodLogStore Logs,
    Kubelet Kubelet,
    FaultInjector Faults,
    SimClock Clock,
    ApiAuthenticator Authenticator,
    TimeSpan BookmarkInterval,
    TimeSpan MaxWatchDuration);
