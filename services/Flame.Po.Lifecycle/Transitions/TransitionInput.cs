using System.Text.Json.Serialization;

using Flame.Po.Lifecycle.Analyses;

namespace Flame.Po.Lifecycle.Transitions;

/// <summary>
/// The input of a transition workflow and of each of its activities. It names the analysis and nothing more: no
/// secret ever enters a workflow (its history is stored in clear); the registry password and the Kong token are in
/// the analysis' Secrets, written by the create request.
/// </summary>
public sealed record TransitionInput(string AnalysisId, long Incarnation, TransitionKind Kind, int Deployment)
{
    public static TransitionInput For(TransitionKind kind, AnalysisRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new TransitionInput(record.AnalysisId, TransitionPlan.Incarnation(record), kind, record.RestartCounter);
    }

    [JsonIgnore]
    public string InstanceId => TransitionPlan.InstanceId(this);
}
