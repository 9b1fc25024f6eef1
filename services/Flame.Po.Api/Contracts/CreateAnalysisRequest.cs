using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Flame.Po.Core.Analyses;
using Flame.Po.Core.Contracts;

namespace Flame.Po.Api.Contracts;

/// <summary>
/// The body of <c>POST /po/</c> (docs/compatibility.md#create); also what the lifecycle's <c>analyses/create</c> receives.
/// The data annotations only describe the body in the OpenAPI document (required, maxLength, minimum, maximum) and
/// name the same <see cref="AnalysisLimits"/> as <see cref="Validation.CreateAnalysisValidator"/>, which alone enforces them.
/// </summary>
public sealed record CreateAnalysisRequest
{
    [JsonPropertyName("analysis_id"), Required, Description("Hub analysis UUID; upper case is normalised to lower case.")]
    public required string AnalysisId { get; init; }

    [JsonPropertyName("project_id"), Required, Description("Hub project UUID.")]
    public required string ProjectId { get; init; }

    [JsonPropertyName("registry_url"), Required, MaxLength(AnalysisLimits.RegistryLength), Description("Registry host, e.g. harbor.example.org.")]
    public required string RegistryUrl { get; init; }

    [JsonPropertyName("image_url"), Required, MaxLength(AnalysisLimits.ImageLength), Description("Full image reference, e.g. harbor.example.org/project/<analysis_id>.")]
    public required string ImageUrl { get; init; }

    [JsonPropertyName("registry_user"), Required, MaxLength(AnalysisLimits.SecretLength)]
    public required string RegistryUser { get; init; }

    [JsonPropertyName("registry_password"), Required, MaxLength(AnalysisLimits.SecretLength)]
    public required string RegistryPassword { get; init; }

    [JsonPropertyName("kong_token"), Required, MaxLength(AnalysisLimits.SecretLength), Description("Kong key for the project's data stores; 'none_needed' when none applies.")]
    public required string KongToken { get; init; }

    [JsonPropertyName("restart_counter"), Range(0, AnalysisLimits.MaxPreviousRestartCounter), Description("Counter of the previous deployment; the new one uses this + 1.")]
    public int RestartCounter { get; init; }

    [JsonPropertyName("progress"), Range(0, AnalysisLimits.MaxProgress)]
    public int Progress { get; init; }

    /// <summary>What the lifecycle's create route receives.</summary>
    public CreateAnalysisCommand ToCommand() => new()
    {
        AnalysisId = AnalysisId,
        ProjectId = ProjectId,
        RegistryUrl = RegistryUrl,
        ImageUrl = ImageUrl,
        RegistryUser = RegistryUser,
        RegistryPassword = RegistryPassword,
        KongToken = KongToken,
        RestartCounter = RestartCounter,
        Progress = Progress,
    };

    /// <summary>Secrets stay out of logs and exception messages.</summary>
    public override string ToString() => $"CreateAnalysisRequest {{ AnalysisId = {AnalysisId}, ProjectId = {ProjectId}, ImageUrl = {ImageUrl}, RestartCounter = {RestartCounter} }}";
}

public static class CreateAnalysisLimits
{
    /// <summary>A create body is a few hundred bytes; 64 KiB leaves room for long tokens and stops abuse early.</summary>
    public const int BodyBytes = 64 * 1024;
}
