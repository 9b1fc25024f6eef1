using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

using Flame.Po.Kubernetes.Models;

namespace Flame.Po.Lifecycle.Workloads;

/// <summary>
/// Pure builders of the Kubernetes objects of one deployment <c>D</c> (po-spec §7, DESIGN §5). All inputs are
/// validated by <see cref="For"/> before any object exists; the builders themselves cannot fail.
/// </summary>
public sealed class AnalysisManifests
{
    public const int AnalysisContainerPort = 8000;
    public const int ServicePort = 80;
    public const string NginxConfigKey = "nginx.conf";
    public const string NginxConfigHashAnnotation = "flame.privateaim.de/nginx-config-sha256";
    public const string DataSourceTokenKey = "DATA_SOURCE_TOKEN";
    public const string KeycloakTokenKey = "KEYCLOAK_TOKEN";

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
    /// Every object in creation order: NetworkPolicies first (po-spec B21), Secrets (when credentials were given)
    /// before the pods that use them, the analysis Service before nginx (nginx resolves upstreams at start).
    /// </summary>
    public IReadOnlyList<KubernetesObject> All(string nginxConfig) => _request.Credentials is null
        ? [.. DeploymentObjectsBeforeNginx(), .. NginxObjects(nginxConfig)]
        : [AnalysisNetworkPolicy(), NginxNetworkPolicy(), PullSecret(), CredentialsSecret(), AnalysisDeployment(), AnalysisService(), .. NginxObjects(nginxConfig)];

    /// <summary>The objects of deployment <c>D</c> that need no pod IP: policies, analysis Deployment and Service.</summary>
    public IReadOnlyList<KubernetesObject> DeploymentObjectsBeforeNginx() =>
        [AnalysisNetworkPolicy(), NginxNetworkPolicy(), AnalysisDeployment(), AnalysisService()];

    /// <summary>The nginx objects; their config needs the analysis pod's IP address.</summary>
    public IReadOnlyList<KubernetesObject> NginxObjects(string nginxConfig) =>
        [NginxConfigMap(nginxConfig), NginxDeployment(nginxConfig), NginxService()];

    /// <summary>The per-analysis Secrets; they outlive restarts and are deleted with the analysis.</summary>
    public IReadOnlyList<Secret> Secrets() => [PullSecret(), CredentialsSecret()];

    private AnalysisCredentials Credentials => _request.Credentials
        ?? throw new InvalidOperationException("These manifests were built without credentials; the Secrets cannot be built.");

    public Secret PullSecret()
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
        return new Secret
        {
            Metadata = AnalysisMeta(Names.PullSecret, WorkloadLabels.PullSecretComponent),
            Immutable = true,
            Type = Secret.DockerConfigJsonType,
            Data = new Dictionary<string, string> { [Secret.DockerConfigJsonKey] = SecretData.Encode(config) },
        };
    }

    /// <summary>
    /// The tokens go to the pod by <c>secretKeyRef</c>, never as plain env (po-spec §13.3). Mutable: the PO writes
    /// each refreshed Keycloak token here, so a restarted container starts with a valid one.
    /// </summary>
    public Secret CredentialsSecret() => new()
    {
        Metadata = AnalysisMeta(Names.CredentialsSecret, WorkloadLabels.CredentialsComponent),
        Type = Secret.OpaqueType,
        Data = new Dictionary<string, string>
        {
            [DataSourceTokenKey] = SecretData.Encode(Credentials.DataSourceToken),
            [KeycloakTokenKey] = SecretData.Encode(Credentials.KeycloakToken),
        },
    };

    public Deployment AnalysisDeployment()
    {
        var labels = WorkloadLabels.For(Names, (WorkloadLabels.App, Names.Deployment), (WorkloadLabels.Component, WorkloadLabels.AnalysisComponent));
        var container = new Container
        {
            Name = Names.Deployment,
            Image = _request.Image,
            ImagePullPolicy = "IfNotPresent",
            Ports = [new ContainerPort { Name = "http", Number = AnalysisContainerPort, Protocol = "TCP" }],
            Env =
            [
                SecretEnv(DataSourceTokenKey),
                SecretEnv(KeycloakTokenKey),
                new EnvVar { Name = "ANALYSIS_ID", Value = Names.AnalysisId },
                new EnvVar { Name = "PROJECT_ID", Value = _request.ProjectId },
                new EnvVar { Name = "DEPLOYMENT_NAME", Value = Names.Deployment },
            ],
            Resources = new ResourceRequirements
            {
                Requests = new Dictionary<string, string> { ["cpu"] = _settings.AnalysisCpuRequest, ["memory"] = _settings.AnalysisMemoryRequest },
                Limits = new Dictionary<string, string>
                {
                    ["cpu"] = _settings.AnalysisCpuLimit,
                    ["memory"] = _settings.AnalysisMemoryLimit,
                    ["ephemeral-storage"] = _settings.AnalysisEphemeralStorageLimit,
                },
            },
            SecurityContext = RestrictedContainer(readOnlyRootFilesystem: false),
        };
        return new Deployment
        {
            Metadata = Meta(Names.Deployment, labels),
            Spec = new DeploymentSpec
            {
                Replicas = 1,
                Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { [WorkloadLabels.App] = Names.Deployment, [WorkloadLabels.Component] = WorkloadLabels.AnalysisComponent } },
                Template = new PodTemplateSpec
                {
                    Metadata = new ObjectMeta { Labels = labels },
                    Spec = RestrictedPod([container], [new LocalObjectReference { Name = Names.PullSecret }], volumes: null),
                },
            },
        };
    }

    public Service AnalysisService() => new()
    {
        Metadata = Meta(Names.Deployment, (WorkloadLabels.App, Names.Deployment), (WorkloadLabels.Component, WorkloadLabels.AnalysisComponent)),
        Spec = new ServiceSpec
        {
            Type = "ClusterIP",
            Selector = new Dictionary<string, string> { [WorkloadLabels.App] = Names.Deployment },
            Ports = [new ServicePort { Name = "http", Protocol = "TCP", Port = ServicePort, TargetPort = AnalysisContainerPort }],
        },
    };

    public ConfigMap NginxConfigMap(string nginxConfig) => new()
    {
        Metadata = Meta(Names.NginxConfigMap, (WorkloadLabels.Component, WorkloadLabels.NginxConfigMapComponent)),
        Data = new Dictionary<string, string> { [NginxConfigKey] = nginxConfig },
    };

    /// <summary>The config hash on the pod template makes a replaced config roll the nginx pod (po-spec B9).</summary>
    public Deployment NginxDeployment(string nginxConfig)
    {
        var labels = WorkloadLabels.For(Names, (WorkloadLabels.App, Names.Nginx), (WorkloadLabels.Component, WorkloadLabels.NginxComponent));
        var container = new Container
        {
            Name = Names.Nginx,
            Image = _settings.NginxImage,
            ImagePullPolicy = "IfNotPresent",
            Ports = [new ContainerPort { Name = "http", Number = NginxContainerPort, Protocol = "TCP" }],
            LivenessProbe = new Probe
            {
                HttpGet = new HttpGetAction { Path = "/healthz", Port = NginxContainerPort },
                InitialDelaySeconds = 15,
                PeriodSeconds = 20,
                TimeoutSeconds = 5,
                FailureThreshold = 1,
            },
            Resources = new ResourceRequirements
            {
                Requests = new Dictionary<string, string> { ["cpu"] = _settings.NginxCpuRequest, ["memory"] = _settings.NginxMemoryRequest },
                Limits = new Dictionary<string, string> { ["cpu"] = _settings.NginxCpuLimit, ["memory"] = _settings.NginxMemoryLimit },
            },
            SecurityContext = RestrictedContainer(readOnlyRootFilesystem: true),
            VolumeMounts =
            [
                new VolumeMount { Name = "nginx-vol", MountPath = "/etc/nginx/nginx.conf", SubPath = NginxConfigKey, ReadOnly = true },
                new VolumeMount { Name = "nginx-tmp", MountPath = Nginx.NginxRenderOptions.DefaultWritableDirectory },
                new VolumeMount { Name = "nginx-cache", MountPath = "/var/cache/nginx" },
            ],
        };
        return new Deployment
        {
            Metadata = Meta(Names.Nginx, labels),
            Spec = new DeploymentSpec
            {
                Replicas = 1,
                Selector = new LabelSelector { MatchLabels = new Dictionary<string, string> { [WorkloadLabels.App] = Names.Nginx } },
                Template = new PodTemplateSpec
                {
                    Metadata = new ObjectMeta { Labels = labels, Annotations = new Dictionary<string, string> { [NginxConfigHashAnnotation] = Sha256(nginxConfig) } },
                    Spec = RestrictedPod(
                        [container],
                        imagePullSecrets: null,
                        volumes:
                        [
                            new Volume { Name = "nginx-vol", ConfigMap = new ConfigMapVolumeSource { Name = Names.NginxConfigMap, Items = [new KeyToPath { Key = NginxConfigKey, Path = NginxConfigKey }] } },
                            new Volume { Name = "nginx-tmp", EmptyDir = new EmptyDirVolumeSource { SizeLimit = "64Mi" } },
                            new Volume { Name = "nginx-cache", EmptyDir = new EmptyDirVolumeSource { SizeLimit = "16Mi" } },
                        ]),
                },
            },
        };
    }

    /// <summary>Service port 80 is the contract with the SDK (<c>http://nginx-D</c>); the container listens on 8080.</summary>
    public Service NginxService() => new()
    {
        Metadata = Meta(Names.Nginx, (WorkloadLabels.App, Names.Nginx), (WorkloadLabels.Component, WorkloadLabels.NginxComponent)),
        Spec = new ServiceSpec
        {
            Type = "ClusterIP",
            Selector = new Dictionary<string, string> { [WorkloadLabels.App] = Names.Nginx },
            Ports = [new ServicePort { Name = "http", Protocol = "TCP", Port = ServicePort, TargetPort = NginxContainerPort }],
        },
    };

    /// <summary>The analysis talks only to its nginx and to DNS on port 53 (po-spec §7.7, tightened).</summary>
    public NetworkPolicy AnalysisNetworkPolicy() => new()
    {
        Metadata = Meta(Names.AnalysisNetworkPolicy, (WorkloadLabels.Component, WorkloadLabels.AnalysisPolicyComponent)),
        Spec = new NetworkPolicySpec
        {
            PodSelector = AppSelector(Names.Deployment),
            PolicyTypes = ["Ingress", "Egress"],
            Ingress = [new NetworkPolicyIngressRule { From = [new NetworkPolicyPeer { PodSelector = AppSelector(Names.Nginx) }], Ports = [Tcp(AnalysisContainerPort)] }],
            Egress =
            [
                new NetworkPolicyEgressRule { To = [new NetworkPolicyPeer { PodSelector = AppSelector(Names.Nginx) }], Ports = [Tcp(NginxContainerPort)] },
                DnsEgress(),
            ],
        },
    };

    /// <summary>
    /// nginx accepts only the analysis, the message broker and the PO, and reaches only the analysis, the named
    /// node services and DNS. Node-service pod ports are not known here, so those peers are not port-limited.
    /// </summary>
    public NetworkPolicy NginxNetworkPolicy() => new()
    {
        Metadata = Meta(Names.NginxNetworkPolicy, (WorkloadLabels.Component, WorkloadLabels.NginxPolicyComponent)),
        Spec = new NetworkPolicySpec
        {
            PodSelector = AppSelector(Names.Nginx),
            PolicyTypes = ["Ingress", "Egress"],
            Ingress =
            [
                new NetworkPolicyIngressRule
                {
                    From =
                    [
                        new NetworkPolicyPeer { PodSelector = AppSelector(Names.Deployment) },
                        ComponentPeer(NodeServiceDiscovery.MessageBrokerComponent),
                        ComponentPeer(NodeServiceDiscovery.PodOrchestratorComponent),
                    ],
                    Ports = [Tcp(NginxContainerPort)],
                },
            ],
            Egress =
            [
                new NetworkPolicyEgressRule { To = [new NetworkPolicyPeer { PodSelector = AppSelector(Names.Deployment) }], Ports = [Tcp(AnalysisContainerPort)] },
                new NetworkPolicyEgressRule
                {
                    To =
                    [
                        ComponentPeer(NodeServiceDiscovery.HubAdapterComponent),
                        ComponentPeer(NodeServiceDiscovery.MessageBrokerComponent),
                        ComponentPeer(NodeServiceDiscovery.StorageComponent),
                        ComponentPeer(NodeServiceDiscovery.PodOrchestratorComponent),
                        new NetworkPolicyPeer { PodSelector = new LabelSelector { MatchLabels = new Dictionary<string, string> { [NodeServiceDiscovery.KongNameLabel] = NodeServiceDiscovery.KongNameValue } } },
                    ],
                },
                DnsEgress(),
            ],
        },
    };

    private ObjectMeta Meta(string name, params (string Key, string Value)[] specLabels) => Meta(name, WorkloadLabels.For(Names, specLabels));

    private ObjectMeta Meta(string name, IReadOnlyDictionary<string, string> labels) =>
        new() { Name = name, Namespace = _request.Namespace, Labels = labels };

    /// <summary>Objects shared by all deployments of the analysis carry no deployment-name label.</summary>
    private ObjectMeta AnalysisMeta(string name, string component) => Meta(name, new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [WorkloadLabels.Component] = component,
        [WorkloadLabels.AnalysisId] = Names.AnalysisId,
        [WorkloadLabels.ManagedBy] = WorkloadLabels.ManagedByValue,
    });

    private PodSpec RestrictedPod(IReadOnlyList<Container> containers, IReadOnlyList<LocalObjectReference>? imagePullSecrets, IReadOnlyList<Volume>? volumes) => new()
    {
        AutomountServiceAccountToken = false,
        EnableServiceLinks = false,
        RestartPolicy = "Always",
        TerminationGracePeriodSeconds = 10,
        SecurityContext = new PodSecurityContext
        {
            RunAsNonRoot = true,
            RunAsUser = _settings.RunAsUser,
            RunAsGroup = _settings.RunAsUser,
            FsGroup = _settings.RunAsUser,
            SeccompProfile = new SeccompProfile { Type = "RuntimeDefault" },
        },
        ImagePullSecrets = imagePullSecrets,
        Containers = containers,
        Volumes = volumes,
    };

    private static SecurityContext RestrictedContainer(bool readOnlyRootFilesystem) => new()
    {
        AllowPrivilegeEscalation = false,
        Privileged = false,
        ReadOnlyRootFilesystem = readOnlyRootFilesystem,
        RunAsNonRoot = true,
        Capabilities = new Capabilities { Drop = ["ALL"] },
        SeccompProfile = new SeccompProfile { Type = "RuntimeDefault" },
    };

    private EnvVar SecretEnv(string key) => new()
    {
        Name = key,
        ValueFrom = new EnvVarSource { SecretKeyRef = new SecretKeySelector { Name = Names.CredentialsSecret, Key = key } },
    };

    private static LabelSelector AppSelector(string app) => new() { MatchLabels = new Dictionary<string, string> { [WorkloadLabels.App] = app } };

    private static NetworkPolicyPeer ComponentPeer(string component) =>
        new() { PodSelector = new LabelSelector { MatchLabels = new Dictionary<string, string> { [WorkloadLabels.Component] = component } } };

    private static NetworkPolicyPort Tcp(int port) => new() { Protocol = "TCP", Port = port };

    private static NetworkPolicyEgressRule DnsEgress() => new()
    {
        To =
        [
            new NetworkPolicyPeer
            {
                NamespaceSelector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "kube-system" } },
                PodSelector = new LabelSelector { MatchLabels = new Dictionary<string, string> { ["k8s-app"] = "kube-dns" } },
            },
        ],
        Ports = [new NetworkPolicyPort { Protocol = "UDP", Port = 53 }, new NetworkPolicyPort { Protocol = "TCP", Port = 53 }],
    };

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
