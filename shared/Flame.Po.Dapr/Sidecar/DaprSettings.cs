using Flame.Po.Core.Settings;
using Microsoft.Extensions.Configuration;

namespace Flame.Po.Dapr.Sidecar;

/// <summary>
/// How this app reaches its Dapr sidecar (HTTP for invocation and health, gRPC for state and publish) and how the
/// sidecar reaches it (the app token). The Dapr adapters are chosen when <c>DAPR_HTTP_PORT</c> is set, unless
/// <c>PO_BUILDING_BLOCKS</c> says otherwise. See docs/architecture.md ("Building blocks").
/// </summary>
public sealed class DaprSettings : IValidatedSettings
{
    [ConfigurationKeyName("DAPR_HTTP_PORT")]
    public int? HttpPort { get; set; }

    [ConfigurationKeyName("DAPR_GRPC_PORT")]
    public int? GrpcPort { get; set; }

    /// <summary>Sent as <c>dapr-api-token</c> on every call to the sidecar when set.</summary>
    [ConfigurationKeyName("DAPR_API_TOKEN")]
    public string? ApiToken { get; set; }

    /// <summary>Required as <c>dapr-api-token</c> on every call from the sidecar to this app when set.</summary>
    [ConfigurationKeyName("APP_API_TOKEN")]
    public string? AppApiToken { get; set; }

    [ConfigurationKeyName("DAPR_STATE_STORE")]
    public string StateStore { get; set; } = "statestore";

    /// <summary><c>auto</c> (Dapr when <c>DAPR_HTTP_PORT</c> is set), <c>embedded</c> or <c>dapr</c>.</summary>
    [ConfigurationKeyName("PO_BUILDING_BLOCKS")]
    public string Mode { get; set; } = "auto";

    /// <summary>Seconds to wait for the sidecar at start-up before giving up.</summary>
    [ConfigurationKeyName("DAPR_SIDECAR_WAIT")]
    public int SidecarWaitSeconds { get; set; } = 60;

    public bool UseDapr => Mode switch
    {
        "dapr" => true,
        "embedded" => false,
        _ => HttpPort is not null,
    };

    public Uri SidecarUri => new($"http://127.0.0.1:{HttpPort ?? 3500}/");

    public Uri SidecarGrpcUri => new($"http://127.0.0.1:{GrpcPort ?? 50001}/");

    public IEnumerable<string> Validate()
    {
        if (Mode is not ("auto" or "embedded" or "dapr"))
        {
            yield return "PO_BUILDING_BLOCKS must be auto, embedded or dapr.";
        }

        if (HttpPort is { } port)
        {
            foreach (var problem in SettingRules.Port(port, "DAPR_HTTP_PORT"))
            {
                yield return problem;
            }
        }

        if (GrpcPort is { } grpc)
        {
            foreach (var problem in SettingRules.Port(grpc, "DAPR_GRPC_PORT"))
            {
                yield return problem;
            }
        }

        if (HttpPort is null && Mode == "dapr")
        {
            yield return "DAPR_HTTP_PORT is required when PO_BUILDING_BLOCKS=dapr (the sidecar's HTTP port).";
        }

        if (string.IsNullOrWhiteSpace(StateStore) || StateStore.Contains('/', StringComparison.Ordinal))
        {
            yield return "DAPR_STATE_STORE must be a component name.";
        }

        foreach (var problem in SettingRules.Positive(SidecarWaitSeconds, "DAPR_SIDECAR_WAIT", "seconds"))
        {
            yield return problem;
        }
    }
}
