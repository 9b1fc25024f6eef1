using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace Flame.Po.Core.Contracts;

/// <summary>
/// What the lifecycle's create route receives: the body of <c>POST /po/</c> after the Api validated it. It carries
/// the registry password and the Kong token, so it is never logged (see <see cref="ToString"/>) nor persisted as is.
/// </summary>
public sealed record CreateAnalysisCommand
{
    [JsonPropertyName("analysis_id")]
    public required string AnalysisId { get; init; }

    [JsonPropertyName("project_id")]
    public required string ProjectId { get; init; }

    [JsonPropertyName("registry_url")]
    public required string RegistryUrl { get; init; }

    [JsonPropertyName("image_url")]
    public required string ImageUrl { get; init; }

    [JsonPropertyName("registry_user")]
    public required string RegistryUser { get; init; }

    [JsonPropertyName("registry_password")]
    public required string RegistryPassword { get; init; }

    [JsonPropertyName("kong_token")]
    public required string KongToken { get; init; }

    [JsonPropertyName("restart_counter")]
    public int RestartCounter { get; init; }

    [JsonPropertyName("progress")]
    public int Progress { get; init; }

    /// <summary>SHA-256 over the non-secret fields: equal bodies make a repeated create idempotent.</summary>
    public string Fingerprint()
    {
        var text = string.Join('\n', AnalysisId, ProjectId, RegistryUrl, ImageUrl, RegistryUser, RestartCounter);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public override string ToString() =>
        $"CreateAnalysisCommand {{ AnalysisId = {AnalysisId}, ProjectId = {ProjectId}, ImageUrl = {ImageUrl}, RegistryUrl = {RegistryUrl}, RestartCounter = {RestartCounter} }}";
}
