using Flame.Po.Dapr.State;
using Flame.Po.Integrations;
using Flame.Po.Lifecycle.Cluster;
using Flame.Po.Persistence;
using Npgsql;

namespace Flame.Po.Lifecycle.Apis;

/// <summary>
/// The one mapping of the lifecycle's exceptions to an answer: a failure of the cluster, the state store, the
/// archive's database or Keycloak is passing (a 503 with <see cref="Describe"/>); anything else is a fault of ours.
/// </summary>
public static class DependencyFailures
{
    public static bool IsDependencyFailure(Exception error) =>
        error is ClusterUnavailableException or k8s.Autorest.HttpOperationException or HttpRequestException
            or StateStoreUnavailableException or NpgsqlException
            or IntegrationUnavailableException or IntegrationRejectedException;

    /// <summary>What failed, for the problem's detail: database errors without their connection details.</summary>
    public static string Describe(Exception error) => error is NpgsqlException ? DatabaseErrors.Describe(error) : KubernetesErrors.Describe(error);
}
