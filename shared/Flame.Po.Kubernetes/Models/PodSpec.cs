namespace Flame.Po.Kubernetes.Models;

public sealed record PodSpec : KubernetesModel
{
    public bool? AutomountServiceAccountToken { get; init; }
    public bool? EnableServiceLinks { get; init; }
    public string? RestartPolicy { get; init; }
    public long? TerminationGracePeriodSeconds { get; init; }
    public PodSecurityContext? SecurityContext { get; init; }
    public IReadOnlyList<LocalObjectReference>? ImagePullSecrets { get; init; }
    public IReadOnlyList<Container> Containers { get; init; } = [];
    public IReadOnlyList<Volume>? Volumes { get; init; }
    public string? NodeName { get; init; }
}

public sealed record PodSecurityContext : KubernetesModel
{
    public bool? RunAsNonRoot { get; init; }
    public long? RunAsUser { get; init; }
    public long? RunAsGroup { get; init; }
    public long? FsGroup { get; init; }
    public SeccompProfile? SeccompProfile { get; init; }
}

public sealed record SeccompProfile : KubernetesModel
{
    public string Type { get; init; } = "RuntimeDefault";
}

public sealed record Container : KubernetesModel
{
    public string Name { get; init; } = "";
    public string? Image { get; init; }
    public string? ImagePullPolicy { get; init; }
    public IReadOnlyList<ContainerPort>? Ports { get; init; }
    public IReadOnlyList<EnvVar>? Env { get; init; }
    public ResourceRequirements? Resources { get; init; }
    public Probe? LivenessProbe { get; init; }
    public Probe? ReadinessProbe { get; init; }
    public SecurityContext? SecurityContext { get; init; }
    public IReadOnlyList<VolumeMount>? VolumeMounts { get; init; }
}

public sealed record ContainerPort : KubernetesModel
{
    public string? Name { get; init; }
    [System.Text.Json.Serialization.JsonPropertyName("containerPort")]
    public int Number { get; init; }
    public string? Protocol { get; init; }
}

public sealed record EnvVar : KubernetesModel
{
    public string Name { get; init; } = "";
    public string? Value { get; init; }
    public EnvVarSource? ValueFrom { get; init; }
}

public sealed record EnvVarSource : KubernetesModel
{
    public SecretKeySelector? SecretKeyRef { get; init; }
}

public sealed record SecretKeySelector : KubernetesModel
{
    public string Name { get; init; } = "";
    public string Key { get; init; } = "";
    public bool? Optional { get; init; }
}

/// <summary>Quantities stay strings ("500m", "1Gi"): we only pass them through from configuration.</summary>
public sealed record ResourceRequirements : KubernetesModel
{
    public IReadOnlyDictionary<string, string>? Requests { get; init; }
    public IReadOnlyDictionary<string, string>? Limits { get; init; }
}

public sealed record SecurityContext : KubernetesModel
{
    public bool? AllowPrivilegeEscalation { get; init; }
    public bool? Privileged { get; init; }
    public bool? ReadOnlyRootFilesystem { get; init; }
    public bool? RunAsNonRoot { get; init; }
    public long? RunAsUser { get; init; }
    public long? RunAsGroup { get; init; }
    public Capabilities? Capabilities { get; init; }
    public SeccompProfile? SeccompProfile { get; init; }
}

public sealed record Capabilities : KubernetesModel
{
    public IReadOnlyList<string>? Add { get; init; }
    public IReadOnlyList<string>? Drop { get; init; }
}

public sealed record Probe : KubernetesModel
{
    public HttpGetAction? HttpGet { get; init; }
    public int? InitialDelaySeconds { get; init; }
    public int? PeriodSeconds { get; init; }
    public int? TimeoutSeconds { get; init; }
    public int? FailureThreshold { get; init; }
}

public sealed record HttpGetAction : KubernetesModel
{
    public string? Path { get; init; }
    public IntOrString Port { get; init; }
}

public sealed record VolumeMount : KubernetesModel
{
    public string Name { get; init; } = "";
    public string MountPath { get; init; } = "";
    public string? SubPath { get; init; }
    public bool? ReadOnly { get; init; }
}

public sealed record Volume : KubernetesModel
{
    public string Name { get; init; } = "";
    public ConfigMapVolumeSource? ConfigMap { get; init; }
    public EmptyDirVolumeSource? EmptyDir { get; init; }
    public SecretVolumeSource? Secret { get; init; }
}

public sealed record ConfigMapVolumeSource : KubernetesModel
{
    public string? Name { get; init; }
    public IReadOnlyList<KeyToPath>? Items { get; init; }
    public int? DefaultMode { get; init; }
}

public sealed record SecretVolumeSource : KubernetesModel
{
    public string? SecretName { get; init; }
    public int? DefaultMode { get; init; }
}

public sealed record KeyToPath : KubernetesModel
{
    public string Key { get; init; } = "";
    public string Path { get; init; } = "";
}

public sealed record EmptyDirVolumeSource : KubernetesModel
{
    public string? Medium { get; init; }
    public string? SizeLimit { get; init; }
}
