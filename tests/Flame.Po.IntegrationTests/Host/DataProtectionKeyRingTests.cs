using Flame.Po.Host;
using Flame.Po.IntegrationTests.Support;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flame.Po.IntegrationTests.Host;

/// <summary>No target creates the Data Protection key ring at start-up (<see cref="DataProtectionKeyRing"/>).</summary>
public sealed class DataProtectionKeyRingTests : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestPostgres.CreateDatabaseAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Theory]
    [InlineData(HostTarget.All)]
    [InlineData(HostTarget.Api)]
    [InlineData(HostTarget.Lifecycle)]
    public async Task The_host_runs_no_hosted_service_of_data_protection(HostTarget target)
    {
        // The service is recognised by its name: if a new ASP.NET Core renamed it, this fails instead of the key ring
        // quietly coming back.
        var keyRingStart = typeof(KeyManagementOptions).Assembly.GetTypes().Where(t => typeof(IHostedService).IsAssignableFrom(t)).ToList();
        keyRingStart.Should().ContainSingle().Which.Should().Match<Type>(t => DataProtectionKeyRing.IsKeyRingStart(ServiceDescriptor.Singleton(typeof(IHostedService), t)));

        await using var host = await RunningHost.StartAsync(target, _db.EnvironmentValues());

        host.Services.GetServices<IHostedService>().Select(s => s.GetType()).Should().NotContain(keyRingStart);
    }
}
