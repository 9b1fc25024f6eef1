using Flame.Po.Core.Analyses;
using Flame.Po.Lifecycle;
using Flame.Po.Lifecycle.Cluster;

namespace Flame.Po.Tests.Telemetry;

/// <summary>Metric labels are closed sets: the Kubernetes request line and the recorded reasons are classified, never copied.</summary>
public sealed class TelemetryLabelTests
{
    [Theory]
    [InlineData("GET", "https://k8s:6443/api/v1/namespaces/flame/pods?labelSelector=a%3Db", "list", "pods")]
    [InlineData("GET", "https://k8s:6443/api/v1/namespaces/flame/pods/analysis-x-1-abc/log?container=c", "get", "pods/log")]
    [InlineData("POST", "https://k8s:6443/apis/apps/v1/namespaces/flame/deployments?fieldValidation=Strict", "create", "deployments")]
    [InlineData("PUT", "https://k8s:6443/api/v1/namespaces/flame/configmaps/nginx-x-config", "update", "configmaps")]
    [InlineData("DELETE", "https://k8s:6443/apis/networking.k8s.io/v1/namespaces/flame/networkpolicies/nginx-x-policy", "delete", "networkpolicies")]
    [InlineData("DELETE", "https://k8s:6443/api/v1/namespaces/flame/pods", "deletecollection", "pods")]
    [InlineData("GET", "https://k8s:6443/api/v1/namespaces/flame/services/nginx-x:80/proxy/analysis/healthz", "get", "services/proxy")]
    [InlineData("POST", "https://k8s:6443/api/v1/namespaces/flame/services/nginx-x:80/proxy/analysis/token_refresh", "create", "services/proxy")]
    [InlineData("GET", "https://rancher/k8s/clusters/c-1/api/v1/namespaces/flame/secrets", "list", "secrets")]
    [InlineData("GET", "https://k8s:6443/api/v1/namespaces/flame", "get", "namespaces")]
    [InlineData("GET", "https://k8s:6443/api/v1/namespaces/flame/pods?watch=true", "watch", "pods")]
    [InlineData("GET", "https://k8s:6443/version", "list", "other")]
    public void Kubernetes_requests_are_described_by_verb_and_resource(string method, string url, string verb, string resource) =>
        KubernetesTelemetryHandler.Describe(new HttpMethod(method), new Uri(url)).Should().Be((verb, resource));

    [Theory]
    [InlineData(TransitionReasons.Created, "created")]
    [InlineData(TransitionReasons.Finished, "finished")]
    [InlineData(TransitionReasons.StoppedByUser, "stopped_by_user")]
    [InlineData(TransitionReasons.DeletedByUser, "deleted_by_user")]
    [InlineData(TransitionReasons.StoppedByPartner, "stopped_by_partner")]
    [InlineData(TransitionReasons.AnalysisReportedFailure, "analysis_failed")]
    [InlineData("stuck: the analysis could not reach a node service", "stuck")]
    [InlineData("slow: no answer from the analysis within the start-up grace (healthz timed out)", "slow")]
    [InlineData("unresponsive: no answer since 2026-01-01T00:00:00Z [restart 10 of 10]; no restarts left.", "unresponsive")]
    [InlineData("Unschedulable: 0/3 nodes are available: 3 Insufficient memory.", "unschedulable")]
    [InlineData("ErrImagePull: rpc error: code = NotFound desc = failed to pull and unpack image \"harbor/x:1\"", "image_pull")]
    [InlineData("ImagePullBackOff: Back-off pulling image", "image_pull")]
    [InlineData("CreateContainerConfigError: secret \"x\" not found", "container_config")]
    [InlineData("OOMKilled: the analysis container ran out of memory (exit code 137).", "oom_killed")]
    [InlineData("CrashLoopBackOff: the analysis container keeps exiting (Error, exit code 1).", "crash_loop")]
    [InlineData("The analysis pod ended (Failed, Error, exit code 2).", "pod_ended")]
    [InlineData("The analysis' pull or credentials Secret is missing from the cluster; delete the analysis and create it again.", "secret_missing")]
    [InlineData("anything a future version says", "other")]
    [InlineData(null, "none")]
    public void Transition_reasons_are_classified(string? reason, string label) =>
        LifecycleTelemetry.ReasonLabel(reason).Should().Be(label);

    [Theory]
    [InlineData("executing", "executing")]
    [InlineData("stuck", "other")]
    [InlineData(null, "other")]
    public void Statuses_outside_the_hub_vocabulary_are_other(string? status, string label) =>
        LifecycleTelemetry.StatusLabel(status).Should().Be(label);
}
