namespace Flame.Po.Lifecycle.Workloads;

/// <summary>Registry credentials from the create request; they go only into the per-analysis pull Secret.</summary>
public sealed record RegistryCredentials(string Server, string Username, string Password)
{
    public override string ToString() => $"RegistryCredentials {{ Server = {Server}, Username = {Username} }}";
}

/// <summary>
/// The secrets of one analysis: they exist only in the create request and in the analysis' Kubernetes Secrets,
/// never in the database (docs/compatibility.md#security). <see cref="ToString"/> leaves them out.
/// </summary>
public sealed record AnalysisCredentials(RegistryCredentials Registry, string DataSourceToken, string KeycloakToken)
{
    public override string ToString() => $"AnalysisCredentials {{ Registry = {Registry.Server} }}";
}

/// <summary>
/// What one deployment of an analysis needs. <see cref="Credentials"/> is present only when the per-analysis
/// Secrets are built too (at create); restarts and repairs build the deployment objects without them.
/// </summary>
public sealed record AnalysisWorkloadRequest
{
    public required string Namespace { get; init; }
    public required string AnalysisId { get; init; }
    public required string ProjectId { get; init; }
    public required int RestartCounter { get; init; }
    public required string Image { get; init; }
    public AnalysisCredentials? Credentials { get; init; }

    public override string ToString() =>
        $"AnalysisWorkloadRequest {{ Namespace = {Namespace}, AnalysisId = {AnalysisId}, ProjectId = {ProjectId}, RestartCounter = {RestartCounter}, Image = {Image}, Credentials = {Credentials?.ToString() ?? "none"} }}";
}
