using static Flame.Sandbox.Kubernetes.Protobuf.ProtobufFieldType;

namespace Flame.Sandbox.Kubernetes.Protobuf;

/// <summary>
/// The field numbers of the messages the sandbox decodes, from the generated.proto files of k8s.io/api (core/v1,
/// apps/v1) and k8s.io/apimachinery (meta/v1, runtime, intstr, resource): what kubectl's typed creates send
/// (create namespace, secret, configmap, deployment, service). Fields left out are refused when they hold anything.
/// </summary>
public static class ProtobufMessages
{
    public static readonly ProtobufMessage TypeMeta = new("runtime.TypeMeta", [new(1, "apiVersion", Text), new(2, "kind", Text)]);

    public static readonly ProtobufMessage OwnerReference = new("v1.OwnerReference",
    [
        new(5, "apiVersion", Text), new(1, "kind", Text), new(3, "name", Text), new(4, "uid", Text),
        new(6, "controller", Flag, Optional: true), new(7, "blockOwnerDeletion", Flag, Optional: true),
    ]);

    public static readonly ProtobufMessage ObjectMeta = new("v1.ObjectMeta",
    [
        new(1, "name", Text), new(2, "generateName", Text), new(3, "namespace", Text), new(4, "selfLink", Text),
        new(5, "uid", Text), new(6, "resourceVersion", Text), new(7, "generation", Number), new(8, "creationTimestamp", Timestamp),
        new(9, "deletionTimestamp", Timestamp), new(10, "deletionGracePeriodSeconds", Number, Optional: true), new(11, "labels", StringMap),
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
        new(1, "metadata", Message, ObjectMeta), new(2, "data", BytesMap), new(3, "type", Text), new(4, "stringData", StringMap),
        new(5, "immutable", Flag, Optional: true),
    ]);

    public static readonly ProtobufMessage ConfigMap = new("v1.ConfigMap",
    [
        new(1, "metadata", Message, ObjectMeta), new(2, "data", StringMap), new(3, "binaryData", BytesMap), new(4, "immutable", Flag, Optional: true),
    ]);

    private static readonly ProtobufMessage LabelSelector = new("v1.LabelSelector",
    [
        new(1, "matchLabels", StringMap),
        new(2, "matchExpressions", RepeatedMessage, new ProtobufMessage("v1.LabelSelectorRequirement", [new(1, "key", Text), new(2, "operator", Text), new(3, "values", RepeatedString)])),
    ]);

    private static readonly ProtobufMessage Container = new("v1.Container",
    [
        new(1, "name", Text), new(2, "image", Text), new(3, "command", RepeatedString), new(4, "args", RepeatedString), new(5, "workingDir", Text),
        new(6, "ports", RepeatedMessage, new ProtobufMessage("v1.ContainerPort",
        [
            new(1, "name", Text), new(2, "hostPort", Number), new(3, "containerPort", Number), new(4, "protocol", Text), new(5, "hostIP", Text),
        ])),
        new(7, "env", RepeatedMessage, new ProtobufMessage("v1.EnvVar", [new(1, "name", Text), new(2, "value", Text)])),
        new(8, "resources", Message, new ProtobufMessage("v1.ResourceRequirements", [new(1, "limits", QuantityMap), new(2, "requests", QuantityMap)])),
        new(9, "volumeMounts", RepeatedMessage, new ProtobufMessage("v1.VolumeMount",
        [
            new(1, "name", Text), new(2, "readOnly", Flag), new(3, "mountPath", Text), new(4, "subPath", Text),
        ])),
        new(13, "terminationMessagePath", Text), new(20, "terminationMessagePolicy", Text), new(14, "imagePullPolicy", Text),
        new(16, "stdin", Flag), new(17, "stdinOnce", Flag), new(18, "tty", Flag),
    ]);

    private static readonly ProtobufMessage PodSpec = new("v1.PodSpec",
    [
        new(2, "containers", RepeatedMessage, Container), new(20, "initContainers", RepeatedMessage, Container), new(3, "restartPolicy", Text),
        new(4, "terminationGracePeriodSeconds", Number, Optional: true), new(5, "activeDeadlineSeconds", Number, Optional: true), new(6, "dnsPolicy", Text),
        new(7, "nodeSelector", StringMap), new(8, "serviceAccountName", Text), new(9, "serviceAccount", Text),
        new(21, "automountServiceAccountToken", Flag, Optional: true), new(10, "nodeName", Text),
        new(15, "imagePullSecrets", RepeatedMessage, new ProtobufMessage("v1.LocalObjectReference", [new(1, "name", Text)])),
        new(16, "hostname", Text), new(17, "subdomain", Text), new(19, "schedulerName", Text), new(24, "priorityClassName", Text),
        new(30, "enableServiceLinks", Flag, Optional: true),
    ]);

    private static readonly ProtobufMessage PodTemplateSpec = new("v1.PodTemplateSpec", [new(1, "metadata", Message, ObjectMeta), new(2, "spec", Message, PodSpec)]);

    public static readonly ProtobufMessage Pod = new("v1.Pod", [new(1, "metadata", Message, ObjectMeta), new(2, "spec", Message, PodSpec)]);

    public static readonly ProtobufMessage Deployment = new("v1.Deployment",
    [
        new(1, "metadata", Message, ObjectMeta),
        new(2, "spec", Message, new ProtobufMessage("v1.DeploymentSpec",
        [
            new(1, "replicas", Number, Optional: true), new(2, "selector", Message, LabelSelector), new(3, "template", Message, PodTemplateSpec),
            new(4, "strategy", Message, new ProtobufMessage("v1.DeploymentStrategy",
            [
                new(1, "type", Text),
                new(2, "rollingUpdate", Message, new ProtobufMessage("v1.RollingUpdateDeployment",
                [
                    new(1, "maxUnavailable", IntOrString, Optional: true), new(2, "maxSurge", IntOrString, Optional: true),
                ])),
            ])),
            new(5, "minReadySeconds", Number), new(6, "revisionHistoryLimit", Number, Optional: true), new(7, "paused", Flag),
            new(9, "progressDeadlineSeconds", Number, Optional: true),
        ])),
    ]);

    public static readonly ProtobufMessage Service = new("v1.Service",
    [
        new(1, "metadata", Message, ObjectMeta),
        new(2, "spec", Message, new ProtobufMessage("v1.ServiceSpec",
        [
            new(1, "ports", RepeatedMessage, new ProtobufMessage("v1.ServicePort",
            [
                new(1, "name", Text), new(2, "protocol", Text), new(6, "appProtocol", Text), new(3, "port", Number),
                new(4, "targetPort", IntOrString), new(5, "nodePort", Number),
            ])),
            new(2, "selector", StringMap), new(3, "clusterIP", Text), new(18, "clusterIPs", RepeatedString), new(4, "type", Text),
            new(5, "externalIPs", RepeatedString), new(7, "sessionAffinity", Text), new(10, "externalName", Text),
            new(19, "ipFamilies", RepeatedString), new(17, "ipFamilyPolicy", Text), new(22, "internalTrafficPolicy", Text),
        ])),
    ]);

    /// <summary>The message of a served kind the sandbox can decode, or null.</summary>
    public static ProtobufMessage? For(ResourceKind kind) => kind.Plural switch
    {
        "namespaces" => Namespace,
        "secrets" => Secret,
        "configmaps" => ConfigMap,
        "deployments" => Deployment,
        "services" => Service,
        "pods" => Pod,
        _ => null,
    };
}
