namespace Flame.Po.Lifecycle.Workloads;

/// <summary>Registry credentials from the create request; they go only into the per-analysis pull Secret.</summary>
public sealed record RegistryCredentials(string Server, string Username, string Password)
{
    public override string ToString() => $"RegistryCredentials {{ Server = {Server}, Username = {Username} }}";
}

/// <summary>
/// What one deployment of an analysis needs. Contains secrets (registry password, tokens): <see cref="ToString"/>
/// leaves them out so the record can appear in logs.
/// </summary>
public sealed record AnalysisWorkloadRequest
{
    public required string Namespace { get; init; }
    public required string AnalysisId { get; init; }
    public required string ProjectId { get; init; }
    public required int RestartCounter { get; init; }
    public required string Image { get; init; }
    public required RegistryCredentials Registry { get; init; }

    /// <summary>Kong key of the data sources (<c>DATA_SOURCE_TOKEN</c>).</summary>
    public required string DataSourceToken { get; init; }

    /// <summary>Keycloak access token of the analysis client (<c>KEYCLOAK_TOKEN</c>); empty when none was issued.</summary>
    public required string KeycloakToken { get; init; }

    public override string ToString() =>
        $"AnalysisWorkloadRequest {{ Namespace = {Namespace}, AnalysisId = {AnalysisId}, ProjectId = {ProjectId}, RestartCounter = {RestartCounter}, Image = {Image}, Registry = {Registry.Server} }}";
}
