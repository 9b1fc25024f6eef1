using System.Text.Json.Nodes;
using Flame.Po.Api.Auth;

namespace Flame.Po.Tests.Host;

/// <summary>The runtime settings the host process starts with (<c>Flame.Po.Host.runtimeconfig.json</c>, from its csproj).</summary>
public sealed class HostRuntimeConfigTests
{
    private static readonly JsonObject Properties =
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Flame.Po.Host.runtimeconfig.json")))!["runtimeOptions"]!["configProperties"]!.AsObject();

    [Fact]
    public void The_realm_keys_are_re_read_before_a_token_with_a_new_key_is_refused_from_the_process_start()
    {
        // Microsoft.IdentityModel reads the switch once per process; set any later, it can lose to an earlier validation.
        Properties[KeycloakJwtOptions.BlockingKeyRefreshSwitch]?.GetValue<bool>().Should().BeTrue();
    }

    [Fact]
    public void The_memory_settings_of_the_image_are_kept()
    {
        Properties["System.GC.Server"]?.GetValue<bool>().Should().BeFalse();
        Properties["System.GC.Concurrent"]?.GetValue<bool>().Should().BeFalse();
        Properties["System.GC.ConserveMemory"]?.GetValue<int>().Should().Be(9);
    }
}
