using Flame.Sandbox.Tests.Support;

using k8s;
using k8s.Models;

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
        var objects = po.Cluster.Objects;
        var first = await po.Client.CoreV1.CreateNamespacedSecretAsync(Incarnation(), po.Namespace, cancellationToken: ct);
        (await objects.DeleteIfPresentAsync(first, ct)).Should().BeTrue();
        var second = await po.Client.CoreV1.CreateNamespacedSecretAsync(Incarnation(), po.Namespace, cancellationToken: ct);

        (await objects.DeleteIfPresentAsync(first, ct)).Should().BeFalse("the uid names the first incarnation");
        (await ListAsync(po, ct)).Should().ContainSingle().Which.Metadata.Uid.Should().Be(second.Metadata.Uid);
        (await objects.DeleteIfPresentAsync(second, ct)).Should().BeTrue();
        (await ListAsync(po, ct)).Should().BeEmpty();
    }

    private static V1Secret Incarnation() => new() { ApiVersion = "v1", Kind = "Secret", Metadata = new V1ObjectMeta { Name = "incarnation" }, Type = "Opaque" };

    private static async Task<IList<V1Secret>> ListAsync(PoDriver po, CancellationToken ct) =>
        (await po.Client.CoreV1.ListNamespacedSecretAsync(po.Namespace, fieldSelector: "metadata.name=incarnation", cancellationToken: ct)).Items;
}
