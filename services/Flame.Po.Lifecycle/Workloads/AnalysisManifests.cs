using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using Flame.Po.Lifecycle.Reconciler;
using k8s;
using k8s.Models;

namespace Flame.Po.Lifecycle.Workloads;

/// <summary>
/// Pure builders of the Kubernetes objects of one deployment <c>D</c> (docs/architecture.md#kubernetes-objects). All
/// inputs are validated by <see cref="For"/> before any object exists; the builders themselves cannot fail.
/// </summary>
public sealed class AnalysisManifests
{
    public const int AnalysisContainerPort = 8000;
    public const int ServicePort = 80;
    public const string NginxConfigKey = "nginx.conf";
    public const string NginxConfigHashAnnotation = "flame.privateaim.de/nginx-config-sha256";
    public const string DataSourceTokenKey = "DATA_SOURCE_TOKEN";
    public const string KeycloakTokenKey = "KEYCLOAK_TOKEN";
    public const string DockerConfigJsonType = "kubernetes.io/dockerconfigjson";
    public const string DockerConfigJsonKey = ".dockerconfigjson";
    public const string OpaqueType = "Opaque";

    private const int NginxContainerPort = Nginx.NginxRenderOptions.DefaultListenPort;

    private readonly AnalysisWorkloadRequest _request;
    private readonly WorkloadSettings _settings;

    private AnalysisManifests(AnalysisWorkloadRequest request, WorkloadSettings settings, WorkloadNames names)
    {
        _request = request;
        _settings = settings;
        Names = names;
    }

    public WorkloadNames Names { get; }

    /// <summary>Validates every input (throws <see cref="WorkloadInputException"/>) and returns the builders.</summary>
    public static AnalysisManifests For(AnalysisWorkloadRequest request, WorkloadSettings settings)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        var problems = settings.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new WorkloadInputException("workload settings", $"are invalid: {string.Join(" ", problems)}");
        }

        WorkloadInputRules.Dns1123Label(request.Namespace, "namespace");
        WorkloadInputRules.LowerCaseUuid(request.ProjectId, "project id");
        WorkloadInputRules.Image(request.Image, "image");
        WorkloadInputRules.Image(settings.NginxImage, "NGINX_IMAGE");
        if (request.Credentials is { } credentials)
        {
            ArgumentNullException.ThrowIfNull(credentials.Registry);
            WorkloadInputRules.Registry(credentials.Registry.Server, "registry server");
            WorkloadInputRules.Text(credentials.Registry.Username, "registry user name", allowEmpty: false);
            WorkloadInputRules.Text(credentials.Registry.Password, "registry password", allowEmpty: false);
            WorkloadInputRules.Text(credentials.DataSourceToken, "data source token", allowEmpty: true);
            WorkloadInputRules.Text(credentials.KeycloakToken, "Keycloak token", allowEmpty: true);
        }

        return new AnalysisManifests(request, settings, WorkloadNames.For(request.AnalysisId, request.RestartCounter));
    }

    /// <summary>
    /// Every object in <see cref="CreationOrder"/>, the Secrets (when credentials were given) before the first pod,
    /// which uses them.
    /// </summary>
    public IReadOnlyList<IKubernetesObject<V1ObjectMeta>> All(string nginxConfig)
    {
        var objects = new List<IKubernetesObject<V1ObjectMeta>>();
        foreach (var kind in CreationOrder.Objects)
        {
            if (kind == DeploymentObjects.AnalysisDeployment && _request.Credentials is not null)
            {
                objects.AddRange([PullSecret(), CredentialsSecret()]);
            }

            objects.Add(Of(kind, nginxConfig));
        }

        return objects;
    }

    /// <summary>The object of one kind; the nginx kinds need <paramref name="nginxConfig"/>.</summary>
    public IKubernetesObject<V1ObjectMeta> Of(DeploymentObjects kind, string? nginxConfig) => kind switch
    {
        DeploymentObjects.AnalysisPolicy => AnalysisNetworkPolicy(),
        DeploymentObjects.NginxPolicy => NginxNetworkPolicy(),
        DeploymentObjects.AnalysisDeployment => AnalysisDeployment(),
        DeploymentObjects.AnalysisService => AnalysisService(),
        DeploymentObjects.NginxConfigMap => NginxConfigMap(NginxConfig(nginxConfig)),
        DeploymentObjects.NginxDeployment => NginxDeployment(NginxConfig(nginxConfig)),
        DeploymentObjects.NginxService => NginxService(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a single object kind."),
    };

    /// <summary>The per-analysis Secrets; they outlive restarts and are deleted with the analysis.</summary>
    public IReadOnlyList<V1Secret> Secrets() => [PullSecret(), CredentialsSecret()];

    private static string NginxConfig(string? nginxConfig) =>
        nginxConfig ?? throw new InvalidOperationException("The nginx objects need their config, which needs the analysis pod's IP address.");

    private AnalysisCredentials Credentials => _request.Credentials
        ?? throw new InvalidOperationException("These manifests were built without credentials; the Secrets cannot be built.");

    public V1Secret PullSecret()
    {
        var registry = Credentials.Registry;
        var auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{registry.Username}:{registry.Password}"));
        var config = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["auths"] = new Dictionary<string, object>
            {
                [registry.Server] = new Dictionary<string, string> { ["username"] = registry.Username, ["password"] = registry.Password, ["auth"] = auth },
            },
        });
        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = AnalysisMeta(Names.PullSecret, WorkloadLabels.PullSecretComponent),
            Immutable = true,
            Type = DockerConfigJsonType,
            Data = new Dictionary<string, byte[]> { [DockerConfigJsonKey] = Encoding.UTF8.GetBytes(config) },
        };
    }

    /// <summary>
    /// The tokens go to the pod by <c>secretKeyRef</c>, never as plain env (docs/compatibility.md#security). Mutable:
    /// the PO writes each refreshed Keycloak token here, so a restarted container starts with a valid one.
    /// </summary>
    public V1Secret CredentialsSecret() => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = AnalysisMeta(Names.CredentialsSecret, WorkloadLabels.CredentialsComponent),
        Type = OpaqueType,
        Data = new Dictionary<string, byte[]>
        {
            [DataSourceTokenKey] = Encoding.UTF8.GetBytes(Credentials.DataSourceToken),
            [KeycloakTokenKey] = Encoding.UTF8.GetBytes(Credentials.KeycloakToken),
        },
    };

    public V1Deployment AnalysisDeployment()
    {
        var labels = WorkloadLabels.For(Names, (WorkloadLabels.App, Names.Deployment), (WorkloadLabels.Component, WorkloadLabels.AnalysisComponent));
        var container = new V1Container
        {
            Name = Names.Deployment,
            Image = _request.Image,
            ImagePullPolicy = "IfNotPresent",
            Ports = [new V1ContainerPort { Name = "http", ContainerPort = AnalysisContainerPort, Protocol = "TCP" }],
            Env =
            [
                SecretEnv(DataSourceTokenKey),
                SecretEnv(KeycloakTokenKey),
                new V1EnvVar { Name = "ANALYSIS_ID", Value = Names.AnalysisId },
                new V1EnvVar { Name = "PROJECT_ID", Value = _request.ProjectId },
                new V1EnvVar { Name = "DEPLOYMENT_NAME", Value = Names.Deployment },
            ],
            Resources = new V1ResourceRequirements
            {
                Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new ResourceQuantity(_settings.AnalysisCpuRequest), ["memory"] = new ResourceQuantity(_settings.AnalysisMemoryRequest) },
                Limits = new Dictionary<string, ResourceQuantity>
                {
                    ["cpu"] = new ResourceQuantity(_settings.AnalysisCpuLimit),
                    ["memory"] = new ResourceQuantity(_settings.AnalysisMemoryLimit),
                    ["ephemeral-storage"] = new ResourceQuantity(_settings.AnalysisEphemeralStorageLimit),
                },
            },
            SecurityContext = RestrictedContainer(readOnlyRootFilesystem: false),
        };
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Meta(Names.Deployment, labels),
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [WorkloadLabels.App] = Names.Deployment, [WorkloadLabels.Component] = WorkloadLabels.AnalysisComponent } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal) },
                    Spec = RestrictedPod([container], [new V1LocalObjectReference { Name = Names.PullSecret }], volumes: null),
                },
            },
        };
    }

    public V1Service AnalysisService() => ClusterIpService(Names.Deployment, WorkloadLabels.AnalysisComponent, AnalysisContainerPort);

    public V1ConfigMap NginxConfigMap(string nginxConfig) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = Meta(Names.NginxConfigMap, (WorkloadLabels.Component, WorkloadLabels.NginxConfigMapComponent)),
        Data = new Dictionary<string, string> { [NginxConfigKey] = nginxConfig },
    };

    /// <summary>The config hash on the pod template makes a replaced config roll the nginx pod (docs/compatibility.md#b9).</summary>
    public V1Deployment NginxDeployment(string nginxConfig)
    {
        var labels = WorkloadLabels.For(Names, (WorkloadLabels.App, Names.Nginx), (WorkloadLabels.Component, WorkloadLabels.NginxComponent));
        var container = new V1Container
        {
            Name = Names.Nginx,
            Image = _settings.NginxImage,
            ImagePullPolicy = "IfNotPresent",
            Ports = [new V1ContainerPort { Name = "http", ContainerPort = NginxContainerPort, Protocol = "TCP" }],
            LivenessProbe = new V1Probe
            {
                HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = NginxContainerPort },
                InitialDelaySeconds = 15,
                PeriodSeconds = 20,
                TimeoutSeconds = 5,
                FailureThreshold = 1,
            },
            Resources = new V1ResourceRequirements
            {
                Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new ResourceQuantity(_settings.NginxCpuRequest), ["memory"] = new ResourceQuantity(_settings.NginxMemoryRequest) },
                Limits = new Dictionary<string, ResourceQuantity> { ["cpu"] = new ResourceQuantity(_settings.NginxCpuLimit), ["memory"] = new ResourceQuantity(_settings.NginxMemoryLimit) },
            },
            SecurityContext = RestrictedContainer(readOnlyRootFilesystem: true),
            VolumeMounts =
            [
                new V1VolumeMount { Name = "nginx-vol", MountPath = "/etc/nginx/nginx.conf", SubPath = NginxConfigKey, ReadOnlyProperty = true },
                new V1VolumeMount { Name = "nginx-tmp", MountPath = Nginx.NginxRenderOptions.DefaultWritableDirectory },
                new V1VolumeMount { Name = "nginx-cache", MountPath = "/var/cache/nginx" },
            ],
        };
        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Meta(Names.Nginx, labels),
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [WorkloadLabels.App] = Names.Nginx } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal), Annotations = new Dictionary<string, string> { [NginxConfigHashAnnotation] = NginxConfigHash(nginxConfig) } },
                    Spec = RestrictedPod(
                        [container],
                        imagePullSecrets: null,
                        volumes:
                        [
                            new V1Volume { Name = "nginx-vol", ConfigMap = new V1ConfigMapVolumeSource { Name = Names.NginxConfigMap, Items = [new V1KeyToPath { Key = NginxConfigKey, Path = NginxConfigKey }] } },
                            new V1Volume { Name = "nginx-tmp", EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("64Mi") } },
                            new V1Volume { Name = "nginx-cache", EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("16Mi") } },
                        ]),
                },
            },
        };
    }

    /// <summary>Service port 80 is the contract with the SDK (<c>http://nginx-D</c>); the container listens on 8080.</summary>
    public V1Service NginxService() => ClusterIpService(Names.Nginx, WorkloadLabels.NginxComponent, NginxContainerPort);

    /// <summary>A ClusterIP Service named like the Deployment it selects (by its <c>app</c> label), port 80 to <paramref name="targetPort"/>.</summary>
    private V1Service ClusterIpService(string name, string component, int targetPort) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Meta(name, (WorkloadLabels.App, name), (WorkloadLabels.Component, component)),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = new Dictionary<string, string> { [WorkloadLabels.App] = name },
            Ports = [new V1ServicePort { Name = "http", Protocol = "TCP", Port = ServicePort, TargetPort = targetPort }],
        },
    };

    /// <summary>The analysis talks only to its nginx and to DNS on port 53 (docs/architecture.md#kubernetes-objects).</summary>
    public V1NetworkPolicy AnalysisNetworkPolicy() => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = Meta(Names.AnalysisNetworkPolicy, (WorkloadLabels.Component, WorkloadLabels.AnalysisPolicyComponent)),
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = AppSelector(Names.Deployment),
            PolicyTypes = ["Ingress", "Egress"],
            Ingress = [new V1NetworkPolicyIngressRule { FromProperty = [new V1NetworkPolicyPeer { PodSelector = AppSelector(Names.Nginx) }], Ports = [Tcp(AnalysisContainerPort)] }],
            Egress =
            [
                new V1NetworkPolicyEgressRule { To = [new V1NetworkPolicyPeer { PodSelector = AppSelector(Names.Nginx) }], Ports = [Tcp(NginxContainerPort)] },
                DnsEgress(),
            ],
        },
    };

    /// <summary>
    /// nginx accepts only the analysis, the message broker and the PO, and reaches only the analysis, the named
    /// node services and DNS. Node-service pod ports are not known here, so those peers are not port-limited.
    /// </summary>
    public V1NetworkPolicy NginxNetworkPolicy() => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = Meta(Names.NginxNetworkPolicy, (WorkloadLabels.Component, WorkloadLabels.NginxPolicyComponent)),
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = AppSelector(Names.Nginx),
            PolicyTypes = ["Ingress", "Egress"],
            Ingress =
            [
                new V1NetworkPolicyIngressRule
                {
                    FromProperty =
                    [
                        new V1NetworkPolicyPeer { PodSelector = AppSelector(Names.Deployment) },
                        ComponentPeer(NodeServiceDiscovery.MessageBrokerComponent),
                        ComponentPeer(NodeServiceDiscovery.PodOrchestratorComponent),
                    ],
                    Ports = [Tcp(NginxContainerPort)],
                },
            ],
            Egress =
            [
                new V1NetworkPolicyEgressRule { To = [new V1NetworkPolicyPeer { PodSelector = AppSelector(Names.Deployment) }], Ports = [Tcp(AnalysisContainerPort)] },
                new V1NetworkPolicyEgressRule
                {
                    To =
                    [
                        ComponentPeer(NodeServiceDiscovery.HubAdapterComponent),
                        ComponentPeer(NodeServiceDiscovery.MessageBrokerComponent),
                        ComponentPeer(NodeServiceDiscovery.StorageComponent),
                        ComponentPeer(NodeServiceDiscovery.PodOrchestratorComponent),
                        new V1NetworkPolicyPeer { PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [NodeServiceDiscovery.KongNameLabel] = NodeServiceDiscovery.KongNameValue } } },
                    ],
                },
                DnsEgress(),
            ],
        },
    };

    private V1ObjectMeta Meta(string name, params (string Key, string Value)[] specLabels) => Meta(name, WorkloadLabels.For(Names, specLabels));

    private V1ObjectMeta Meta(string name, IReadOnlyDictionary<string, string> labels) =>
        new() { Name = name, NamespaceProperty = _request.Namespace, Labels = new Dictionary<string, string>(labels, StringComparer.Ordinal) };

    /// <summary>Objects shared by all deployments of the analysis carry no deployment-name label.</summary>
    private V1ObjectMeta AnalysisMeta(string name, string component) => Meta(name, new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [WorkloadLabels.Component] = component,
        [WorkloadLabels.AnalysisId] = Names.AnalysisId,
        [WorkloadLabels.ManagedBy] = WorkloadLabels.ManagedByValue,
    });

    private V1PodSpec RestrictedPod(IList<V1Container> containers, IList<V1LocalObjectReference>? imagePullSecrets, IList<V1Volume>? volumes) => new()
    {
        AutomountServiceAccountToken = false,
        EnableServiceLinks = false,
        RestartPolicy = "Always",
        TerminationGracePeriodSeconds = 10,
        SecurityContext = new V1PodSecurityContext
        {
            RunAsNonRoot = true,
            RunAsUser = _settings.RunAsUser,
            RunAsGroup = _settings.RunAsUser,
            FsGroup = _settings.RunAsUser,
            SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
        },
        ImagePullSecrets = imagePullSecrets,
        Containers = containers,
        Volumes = volumes,
    };

    private static V1SecurityContext RestrictedContainer(bool readOnlyRootFilesystem) => new()
    {
        AllowPrivilegeEscalation = false,
        Privileged = false,
        ReadOnlyRootFilesystem = readOnlyRootFilesystem,
        RunAsNonRoot = true,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };

    private V1EnvVar SecretEnv(string key) => new()
    {
        Name = key,
        ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = Names.CredentialsSecret, Key = key } },
    };

    private static V1LabelSelector AppSelector(string app) => new() { MatchLabels = new Dictionary<string, string> { [WorkloadLabels.App] = app } };

    private static V1NetworkPolicyPeer ComponentPeer(string component) =>
        new() { PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { [WorkloadLabels.Component] = component } } };

    private static V1NetworkPolicyPort Tcp(int port) => new() { Protocol = "TCP", Port = port };

    private static V1NetworkPolicyEgressRule DnsEgress() => new()
    {
        To =
        [
            new V1NetworkPolicyPeer
            {
                NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "kube-system" } },
                PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["k8s-app"] = "kube-dns" } },
            },
        ],
        Ports = [new V1NetworkPolicyPort { Protocol = "UDP", Port = 53 }, new V1NetworkPolicyPort { Protocol = "TCP", Port = 53 }],
    };

    /// <summary>
    /// The value of <see cref="NginxConfigHashAnnotation"/> on the nginx pod template for <paramref name="nginxConfig"/>:
    /// a changed config changes the template, so Kubernetes rolls nginx and it loads the new config.
    /// </summary>
    public static string NginxConfigHash(string nginxConfig) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(nginxConfig)));
}
