using k8s;

using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>
/// Degraded (not unhealthy) without a usable cluster: status and history reads still work, and restarting the
/// PO would not bring a cluster configuration.
/// </summary>
public sealed class KubernetesHealthCheck(ClusterConnection cluster) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!cluster.IsConfigured)
        {
            return HealthCheckResult.Degraded("no Kubernetes cluster is configured");
        }

        try
        {
            await cluster.Client.CoreV1.ListNamespacedSecretAsync(cluster.Namespace, limit: 1, cancellationToken: cancellationToken);
            return HealthCheckResult.Healthy($"namespace {cluster.Namespace}");
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Degraded($"Kubernetes API unreachable: {KubernetesErrors.Describe(error)}");
        }
    }
}
