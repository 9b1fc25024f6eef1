using Flame.Po.Kubernetes.Models;
using Flame.Sandbox.Tests.Support;

namespace Flame.Sandbox.Tests.ThroughPo;

/// <summary>
/// The PO's delete with a uid precondition: a stale actor must not delete an object that was deleted and
/// created again under the same name (the Secrets of a new incarnation of an analysis).
/// </summary>
public sealed class DeletePreconditionTests
{
    [Fact]
    public async Task Delete_with_a_stale_uid_leaves_the_new_object_and_with_its_own_uid_deletes_it()
    {
        await using var po = await PoDriver.StartAsync();
        var ct = SandboxHarness.Timeout();
        var secrets = po.Client.Secrets();
        var first = await secrets.CreateAsync(new Secret { Metadata = new ObjectMeta { Name = "incarnation" }, Type = Secret.OpaqueType }, ct);
        (await secrets.DeleteAsync("incarnation", first.Metadata.Uid, cancellationToken: ct)).Should().BeTrue();
        var second = await secrets.CreateAsync(new Secret { Metadata = new ObjectMeta { Name = "incarnation" }, Type = Secret.OpaqueType }, ct);

        (await secrets.DeleteAsync("incarnation", first.Metadata.Uid, cancellationToken: ct)).Should().BeFalse("the uid names the first incarnation");
        (await secrets.TryGetAsync("incarnation", ct)).Should().NotBeNull();
        (await secrets.DeleteAsync("incarnation", second.Metadata.Uid, cancellationToken: ct)).Should().BeTrue();
        (await secrets.TryGetAsync("incarnation", ct)).Should().BeNull();
    }
}
