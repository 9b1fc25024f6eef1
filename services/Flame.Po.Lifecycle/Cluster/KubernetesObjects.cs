using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Flame.Po.Lifecycle.Cluster;

/// <summary>
/// Create, replace and delete of the kinds the PO owns, by the object's type, in one namespace. Writes ask for
/// <c>fieldValidation=Strict</c>, so a field the API server does not know fails loudly instead of vanishing.
/// </summary>
public sealed class KubernetesObjects(IKubernetes client, string ns)
{
    private const string Strict = "Strict";

    /// <summary>Idempotent create for the reconciler: true when created, false when the name was already taken.</summary>
    public async Task<bool> CreateIfMissingAsync(IKubernetesObject<V1ObjectMeta> item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        try
        {
            await (item switch
            {
                V1Deployment d => (Task)client.AppsV1.CreateNamespacedDeploymentAsync(d, ns, fieldValidation: Strict, cancellationToken: cancellationToken),
                V1Service s => (Task)client.CoreV1.CreateNamespacedServiceAsync(s, ns, fieldValidation: Strict, cancellationToken: cancellationToken),
                V1NetworkPolicy p => (Task)client.NetworkingV1.CreateNamespacedNetworkPolicyAsync(p, ns, fieldValidation: Strict, cancellationToken: cancellationToken),
                V1ConfigMap c => (Task)client.CoreV1.CreateNamespacedConfigMapAsync(c, ns, fieldValidation: Strict, cancellationToken: cancellationToken),
                V1Secret s => (Task)client.CoreV1.CreateNamespacedSecretAsync(s, ns, fieldValidation: Strict, cancellationToken: cancellationToken),
                _ => throw new ArgumentException($"The PO does not create {item.GetType().Name} objects.", nameof(item)),
            });
            return true;
        }
        catch (HttpOperationException error) when (KubernetesErrors.Classify(error) == KubernetesFailure.AlreadyExists)
        {
            return false;
        }
    }

    /// <summary>
    /// Deletes the object only if it is still the one with <paramref name="uid"/> (a <c>preconditions.uid</c>
    /// DeleteOptions body): a stale actor cannot delete an object that was deleted and created again under the
    /// same name meanwhile. False when the object is gone (404) or is another object now (409).
    /// </summary>
    public async Task<bool> DeleteIfPresentAsync(IKubernetesObject<V1ObjectMeta> item, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        var name = item.Metadata?.Name ?? throw new ArgumentException("The object has no name.", nameof(item));
        var uid = item.Metadata.Uid;
        var options = new V1DeleteOptions
        {
            ApiVersion = "v1",
            Kind = "DeleteOptions",
            PropagationPolicy = "Background",
            Preconditions = uid is null ? null : new V1Preconditions { Uid = uid },
        };
        try
        {
            // The answer is the deleted or still-terminating object; either means the deletion was accepted.
            await (item switch
            {
                V1Deployment => (Task)client.AppsV1.DeleteNamespacedDeploymentAsync(name, ns, options, cancellationToken: cancellationToken),
                V1Service => (Task)client.CoreV1.DeleteNamespacedServiceAsync(name, ns, options, cancellationToken: cancellationToken),
                V1NetworkPolicy => (Task)client.NetworkingV1.DeleteNamespacedNetworkPolicyAsync(name, ns, options, cancellationToken: cancellationToken),
                V1ConfigMap => (Task)client.CoreV1.DeleteNamespacedConfigMapAsync(name, ns, options, cancellationToken: cancellationToken),
                V1Secret => (Task)client.CoreV1.DeleteNamespacedSecretAsync(name, ns, options, cancellationToken: cancellationToken),
                V1Pod => (Task)client.CoreV1.DeleteNamespacedPodAsync(name, ns, options, cancellationToken: cancellationToken),
                _ => throw new ArgumentException($"The PO does not delete {item.GetType().Name} objects.", nameof(item)),
            });
            return true;
        }
        catch (HttpOperationException error) when (KubernetesErrors.Classify(error) == KubernetesFailure.NotFound
            || (uid is not null && KubernetesErrors.Classify(error) == KubernetesFailure.Conflict))
        {
            return false;
        }
    }

    public Task<V1ConfigMap> GetConfigMapAsync(string name, CancellationToken cancellationToken) =>
        client.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: cancellationToken);

    public Task<V1ConfigMap> ReplaceAsync(V1ConfigMap item, CancellationToken cancellationToken) =>
        client.CoreV1.ReplaceNamespacedConfigMapAsync(Typed(item), item.Metadata.Name, ns, fieldValidation: Strict, cancellationToken: cancellationToken);

    public Task<V1Deployment> GetDeploymentAsync(string name, CancellationToken cancellationToken) =>
        client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: cancellationToken);

    public Task<V1Deployment> ReplaceAsync(V1Deployment item, CancellationToken cancellationToken) =>
        client.AppsV1.ReplaceNamespacedDeploymentAsync(Typed(item), item.Metadata.Name, ns, fieldValidation: Strict, cancellationToken: cancellationToken);

    public Task<V1Secret> GetSecretAsync(string name, CancellationToken cancellationToken) =>
        client.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: cancellationToken);

    public Task<V1Secret> ReplaceAsync(V1Secret item, CancellationToken cancellationToken) =>
        client.CoreV1.ReplaceNamespacedSecretAsync(Typed(item), item.Metadata.Name, ns, fieldValidation: Strict, cancellationToken: cancellationToken);

    /// <summary>
    /// The kind of <paramref name="item"/> from its model type: list items carry no <c>kind</c>, and metadata-only
    /// ones say <c>PartialObjectMetadata</c>.
    /// </summary>
    public static string KindOf(IKubernetesObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return EntityOf(item.GetType())?.Kind ?? item.GetType().Name;
    }

    /// <summary>A read object carries no apiVersion/kind; what is sent must.</summary>
    private static T Typed<T>(T item)
        where T : IKubernetesObject
    {
        if (EntityOf(typeof(T)) is { } attribute)
        {
            item.ApiVersion ??= string.IsNullOrEmpty(attribute.Group) ? attribute.ApiVersion : $"{attribute.Group}/{attribute.ApiVersion}";
            item.Kind ??= attribute.Kind;
        }

        return item;
    }

    /// <summary>The group, version and kind a model type stands for.</summary>
    private static KubernetesEntityAttribute? EntityOf(Type model) =>
        (KubernetesEntityAttribute?)Attribute.GetCustomAttribute(model, typeof(KubernetesEntityAttribute));
}
