using static Flame.Po.Lifecycle.Reconciler.LifecycleAction;

namespace Flame.Po.Lifecycle.Reconciler;

/// <summary>
/// Every fault point of the lifecycle, by name: where a test makes the process die (<c>PO_FAULT_POINT</c>, see
/// <see cref="Dapr.Faults.FaultPoints"/>) to prove a step resumable. The values are what the variable is set to, so they
/// never change with a rename of a step.
/// </summary>
public static class LifecycleFaultPoints
{
    /// <summary>A create wrote its Secrets, not yet its record.</summary>
    public const string CreateAfterSecrets = "create:after-secrets";

    /// <summary>A create wrote its record.</summary>
    public const string CreateAfterRecord = "create:after-record";

    /// <summary>A stop command saved the record.</summary>
    public const string StopAfterRecord = "stopped:after-record";

    /// <summary>A delete command saved the record.</summary>
    public const string DeleteAfterRecord = "deleted:after-record";

    /// <summary>Prefix of the points after a flush of pending events, followed by the status flushed.</summary>
    public const string AfterFlushEventsPrefix = "after:FlushEvents:";

    public const string BeforeWait = "before:Wait";
    public const string AfterWait = "after:Wait";
    public const string BeforeCreateObjects = "before:CreateObjects";
    public const string AfterCreateObjects = "after:CreateObjects";
    public const string BeforeDeleteStaleObjects = "before:DeleteStaleObjects";
    public const string AfterDeleteStaleObjects = "after:DeleteStaleObjects";
    public const string BeforeSetStatus = "before:SetStatus";
    public const string AfterSetStatus = "after:SetStatus";
    public const string BeforeSetUnhealthySince = "before:SetUnhealthySince";
    public const string AfterSetUnhealthySince = "after:SetUnhealthySince";
    public const string BeforeBeginRestart = "before:BeginRestart";
    public const string AfterBeginRestart = "after:BeginRestart";
    public const string BeforeTerminate = "before:Terminate";
    public const string AfterTerminate = "after:Terminate";
    public const string BeforeArchiveDeployment = "before:ArchiveDeployment";
    public const string AfterArchiveDeployment = "after:ArchiveDeployment";
    public const string BeforeDeleteDeploymentObjects = "before:DeleteDeploymentObjects";
    public const string AfterDeleteDeploymentObjects = "after:DeleteDeploymentObjects";
    public const string BeforeAdmit = "before:Admit";
    public const string AfterAdmit = "after:Admit";
    public const string BeforeRedeploy = "before:Redeploy";
    public const string AfterRedeploy = "after:Redeploy";
    public const string BeforeDeleteAllObjects = "before:DeleteAllObjects";
    public const string AfterDeleteAllObjects = "after:DeleteAllObjects";
    public const string BeforeDeleteKeycloakClient = "before:DeleteKeycloakClient";
    public const string AfterDeleteKeycloakClient = "after:DeleteKeycloakClient";
    public const string BeforeComplete = "before:Complete";
    public const string AfterComplete = "after:Complete";
    public const string BeforeForget = "before:Forget";
    public const string AfterForget = "after:Forget";
    public const string BeforeRefreshToken = "before:RefreshToken";
    public const string AfterRefreshToken = "after:RefreshToken";
    public const string BeforeUpdateNginxConfig = "before:UpdateNginxConfig";
    public const string AfterUpdateNginxConfig = "after:UpdateNginxConfig";

    /// <summary>The <see cref="DeploymentObjects.AnalysisPolicy"/> object was just created.</summary>
    public const string CreatedAnalysisPolicy = "created:AnalysisPolicy";

    /// <summary>The <see cref="DeploymentObjects.NginxPolicy"/> object was just created.</summary>
    public const string CreatedNginxPolicy = "created:NginxPolicy";

    /// <summary>The <see cref="DeploymentObjects.AnalysisDeployment"/> object was just created.</summary>
    public const string CreatedAnalysisDeployment = "created:AnalysisDeployment";

    /// <summary>The <see cref="DeploymentObjects.AnalysisService"/> object was just created.</summary>
    public const string CreatedAnalysisService = "created:AnalysisService";

    /// <summary>The <see cref="DeploymentObjects.NginxConfigMap"/> object was just created.</summary>
    public const string CreatedNginxConfigMap = "created:NginxConfigMap";

    /// <summary>The <see cref="DeploymentObjects.NginxDeployment"/> object was just created.</summary>
    public const string CreatedNginxDeployment = "created:NginxDeployment";

    /// <summary>The <see cref="DeploymentObjects.NginxService"/> object was just created.</summary>
    public const string CreatedNginxService = "created:NginxService";

    /// <summary>The point before a step.</summary>
    public static string Before(LifecycleAction action) => action switch
    {
        Wait => BeforeWait,
        CreateObjects => BeforeCreateObjects,
        DeleteStaleObjects => BeforeDeleteStaleObjects,
        SetStatus => BeforeSetStatus,
        SetUnhealthySince => BeforeSetUnhealthySince,
        BeginRestart => BeforeBeginRestart,
        Terminate => BeforeTerminate,
        ArchiveDeployment => BeforeArchiveDeployment,
        DeleteDeploymentObjects => BeforeDeleteDeploymentObjects,
        Admit => BeforeAdmit,
        Redeploy => BeforeRedeploy,
        DeleteAllObjects => BeforeDeleteAllObjects,
        DeleteKeycloakClient => BeforeDeleteKeycloakClient,
        Complete => BeforeComplete,
        Forget => BeforeForget,
        RefreshToken => BeforeRefreshToken,
        UpdateNginxConfig => BeforeUpdateNginxConfig,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "A step without a fault point."),
    };

    /// <summary>The point after a step.</summary>
    public static string After(LifecycleAction action) => action switch
    {
        Wait => AfterWait,
        CreateObjects => AfterCreateObjects,
        DeleteStaleObjects => AfterDeleteStaleObjects,
        SetStatus => AfterSetStatus,
        SetUnhealthySince => AfterSetUnhealthySince,
        BeginRestart => AfterBeginRestart,
        Terminate => AfterTerminate,
        ArchiveDeployment => AfterArchiveDeployment,
        DeleteDeploymentObjects => AfterDeleteDeploymentObjects,
        Admit => AfterAdmit,
        Redeploy => AfterRedeploy,
        DeleteAllObjects => AfterDeleteAllObjects,
        DeleteKeycloakClient => AfterDeleteKeycloakClient,
        Complete => AfterComplete,
        Forget => AfterForget,
        RefreshToken => AfterRefreshToken,
        UpdateNginxConfig => AfterUpdateNginxConfig,
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "A step without a fault point."),
    };

    /// <summary>The point right after one object of a deployment was created.</summary>
    public static string Created(DeploymentObjects kind) => kind switch
    {
        DeploymentObjects.AnalysisPolicy => CreatedAnalysisPolicy,
        DeploymentObjects.NginxPolicy => CreatedNginxPolicy,
        DeploymentObjects.AnalysisDeployment => CreatedAnalysisDeployment,
        DeploymentObjects.AnalysisService => CreatedAnalysisService,
        DeploymentObjects.NginxConfigMap => CreatedNginxConfigMap,
        DeploymentObjects.NginxDeployment => CreatedNginxDeployment,
        DeploymentObjects.NginxService => CreatedNginxService,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a single object kind."),
    };

    /// <summary>The point after the pending events of <paramref name="status"/> were flushed.</summary>
    public static string AfterFlushEvents(string status) => AfterFlushEventsPrefix + status;
}
