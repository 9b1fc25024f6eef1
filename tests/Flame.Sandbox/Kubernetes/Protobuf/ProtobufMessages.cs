using static Flame.Sandbox.Kubernetes.Protobuf.ProtobufFieldType;

namespace Flame.Sandbox.Kubernetes.Protobuf;

/// <summary>
/// The field numbers of the messages the sandbox decodes, from the generated.proto files of k8s.io/api (core/v1) and
/// k8s.io/apimachinery (meta/v1, runtime): what kubectl's typed creates send (create namespace, secret, configmap).
/// </summary>
public static class ProtobufMessages
{
    public static readonly ProtobufMessage TypeMeta = new("runtime.TypeMeta", [new(1, "apiVersion", Text), new(2, "kind", Text)]);

    public static readonly ProtobufMessage OwnerReference = new("v1.OwnerReference",
    [
        new(5, "apiVersion", Text), new(1, "kind", Text), new(3, "name", Text), new(4, "uid", Text),
        new(6, "controller", Flag), new(7, "blockOwnerDeletion", Flag),
    ]);

    public static readonly ProtobufMessage ObjectMeta = new("v1.ObjectMeta",
    [
        new(1, "name", Text), new(2, "generateName", Text), new(3, "namespace", Text), new(4, "selfLink", Text),
        new(5, "uid", Text), new(6, "resourceVersion", Text), new(7, "generation", Number), new(8, "creationTimestamp", Timestamp),
        new(9, "deletionTimestamp", Timestamp), new(10, "deletionGracePeriodSeconds", Number), new(11, "labels", StringMap),
        new(12, "annotations", StringMap), new(13, "ownerReferences", RepeatedMessage, OwnerReference), new(14, "finalizers", RepeatedString),
    ]);

    public static readonly ProtobufMessage Namespace = new("v1.Namespace",
    [
        new(1, "metadata", Message, ObjectMeta),
        new(2, "spec", Message, new ProtobufMessage("v1.NamespaceSpec", [new(1, "finalizers", RepeatedString)])),
        new(3, "status", Message, new ProtobufMessage("v1.NamespaceStatus", [new(1, "phase", Text)])),
    ]);

    public static readonly ProtobufMessage Secret = new("v1.Secret",
    [
        new(1, "metadata", Message, ObjectMeta), new(2, "data", BytesMap), new(3, "type", Text), new(4, "stringData", StringMap), new(5, "immutable", Flag),
    ]);

    public static readonly ProtobufMessage ConfigMap = new("v1.ConfigMap",
    [
        new(1, "metadata", Message, ObjectMeta), new(2, "data", StringMap), new(3, "binaryData", BytesMap), new(4, "immutable", Flag),
    ]);

    /// <summary>The message of a served kind the sandbox can decode, or null.</summary>
    public static ProtobufMessage? For(ResourceKind kind) => kind.Plural switch
    {
        "namespaces" => Namespace,
        "secrets" => Secret,
        "configmaps" => ConfigMap,
        _ => null,
    };
}
