using System.Security.Cryptography;
using System.Text;

namespace Flame.Po.Lifecycle.Commands;

/// <summary>The body of <c>POST /po/</c> (po-spec §3.3), as the Api hands it over after validation of its shape.</summary>
public sealed record CreateAnalysisCommand
{
    public required string AnalysisId { get; init; }
    public required string ProjectId { get; init; }
    public required string RegistryUrl { get; init; }
    public required string ImageUrl { get; init; }
    public required string RegistryUser { get; init; }
    public required string RegistryPassword { get; init; }
    public required string KongToken { get; init; }
    public int RestartCounter { get; init; }
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
