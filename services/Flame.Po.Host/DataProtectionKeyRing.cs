using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Flame.Po.Host;

/// <summary>
/// ASP.NET Core's authentication registers Data Protection, whose hosted service creates or loads the XML key ring
/// at start-up: in the pod (read-only root file system) a warning about unpersisted keys, elsewhere an unencrypted
/// key file under <c>$HOME/.aspnet</c>, and System.Private.Xml loaded for nothing. The PO protects no data with it
/// (JWT bearer tokens and the app channel's token only), so the key ring is left to be created on first use, which
/// never comes.
/// </summary>
public static class DataProtectionKeyRing
{
    private const string HostedServiceName = "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";

    public static void DoNotCreateAtStart(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        foreach (var eager in services.Where(IsKeyRingStart).ToList())
        {
            services.Remove(eager);
        }
    }

    public static bool IsKeyRingStart(ServiceDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        return descriptor.ServiceType == typeof(IHostedService) && descriptor.ImplementationType?.FullName == HostedServiceName;
    }
}
