using Flame.Sandbox.Tests.Support;
using Flame.Testing;

using Xunit.Abstractions;

namespace Flame.Sandbox.Tests.ThroughPo;

/// <summary>
/// In a pod the PO authenticates with the token of its projected service-account volume, which the kubelet rotates
/// while the PO runs. The official client's <c>TokenFileAuth</c> keeps the token it read for one minute and then
/// reads the file again. Here one running client of the PO's <c>ClusterConnection</c> (a separate process, the
/// cluster probe, with the volume mounted at the library's fixed path in a private mount namespace) must switch to
/// a rotated token without a restart and without a failed request.
/// </summary>
public sealed class ServiceAccountTokenRotationTests(ITestOutputHelper output)
{
    /// <summary>How long <c>TokenFileAuth</c> keeps a token it read.</summary>
    private static readonly TimeSpan RefreshPeriod = TimeSpan.FromMinutes(1);

    /// <summary>Beyond the refresh period: request interval, a slow CI machine.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(20);

    private const string TokenA = "flame-po-sa-token-a";
    private const string TokenB = "flame-po-sa-token-b";

    [Fact]
    public async Task A_running_client_picks_up_a_rotated_service_account_token_and_keeps_working_when_the_old_one_is_revoked()
    {
        var hostBefore = HostServiceAccountState();
        await using var sandbox = await SandboxServer.StartAsync(new SandboxOptions { TimeScale = 0.001, ServiceAccountTokens = [TokenA] });
        var auth = sandbox.ApiAuthentication;
        var port = new Uri(sandbox.KubernetesUrl).Port;
        using var volume = new ProjectedTokenVolume(TokenA, sandbox.CertificateAuthorityPem, sandbox.Namespace);
        await using var probe = ClusterProbeProcess.Start(volume, port, TimeSpan.FromMilliseconds(250), limit: TimeSpan.FromMinutes(4));

        // In cluster: the server from KUBERNETES_SERVICE_HOST/PORT, the namespace from the mounted volume.
        var ready = await probe.WaitForLineAsync(l => l.Text.StartsWith("ready ", StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        ready.Text.Should().Be($"ready in-cluster=True namespace={sandbox.Namespace} server=https://127.0.0.1:{port}/");
        await probe.WaitForLineAsync(l => l.Text.StartsWith("ok ", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        HostServiceAccountState().Should().Be(hostBefore, "the volume is mounted in the probe's mount namespace only");
        auth.Requests().Should().NotBeEmpty().And.OnlyContain(r => r.Token == TokenA && r.Accepted, probe.Output());

        // The kubelet gets a new token from the TokenRequest API (valid at once; the old one stays valid until it
        // expires) and swaps the volume's files.
        auth.Accept(TokenB);
        var oldData = volume.DataDirectory;
        var rotated = DateTimeOffset.UtcNow;
        volume.Rotate(TokenB);
        volume.DataDirectory.Should().NotBe(oldData);
        File.ReadAllText(Path.Combine(volume.Root, "token")).Should().Be(TokenB);

        await WaitUntilAsync(() => auth.Requests().Any(r => r.Token == TokenB), RefreshPeriod + Slack + TimeSpan.FromSeconds(10), probe, "a request with the rotated token");
        var firstB = auth.Requests().First(r => r.Token == TokenB);
        (firstB.At - rotated).Should().BeLessThan(RefreshPeriod + Slack, "TokenFileAuth re-reads the file once its copy is a minute old");
        output.WriteLine($"token B first sent {(firstB.At - rotated).TotalSeconds:0.0} s after the rotation");
        probe.HasExited.Should().BeFalse("the same client, in the same process, must pick the new token up");

        // Until then every request carried A and succeeded; from then on every one carries B.
        var requests = auth.Requests();
        requests.Should().OnlyContain(r => r.Accepted, probe.Output());
        requests.TakeWhile(r => r.Token != TokenB).Should().HaveCountGreaterThan(1).And.OnlyContain(r => r.Token == TokenA);
        requests.SkipWhile(r => r.Token != TokenB).Should().OnlyContain(r => r.Token == TokenB);

        // A expires: the client keeps working with B.
        auth.Revoke(TokenA);
        var revoked = DateTimeOffset.UtcNow;
        await WaitUntilAsync(
            () => auth.Requests().Count(r => r.At > revoked) >= 5 && probe.Lines().Count(l => l.At > revoked) >= 5, TimeSpan.FromSeconds(30), probe, "five requests and answers after the revocation");
        auth.Requests().Where(r => r.At > revoked).Should().OnlyContain(r => r.Token == TokenB && r.Accepted, probe.Output());

        (await probe.StopAsync(TimeSpan.FromSeconds(30))).Should().Be(0, probe.Output());
        output.WriteLine($"{auth.Requests().Count} requests: {auth.Requests().Count(r => r.Token == TokenA)} with A, {auth.Requests().Count(r => r.Token == TokenB)} with B");
        var lines = probe.Lines();
        lines.Where(l => l.Text.StartsWith("ready ", StringComparison.Ordinal)).Should().HaveCount(1, "the probe never restarted");
        lines.Skip(1).Should().OnlyContain(l => l.Text.StartsWith("ok ", StringComparison.Ordinal), probe.Output());
        HostServiceAccountState().Should().Be(hostBefore);
    }

    private static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, ClusterProbeProcess probe, string what) =>
        Wait.UntilAsync(condition, timeout, what, stopIf: () => probe.HasExited, details: probe.Output);

    /// <summary>What the machine (outside the probe's namespace) has under /var/run/secrets: usually nothing.</summary>
    private static string HostServiceAccountState()
    {
        const string secrets = "/var/run/secrets";
        if (!Directory.Exists(secrets))
        {
            return "absent";
        }

        return string.Join('\n', Directory.EnumerateFileSystemEntries(secrets, "*", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(p => new FileInfo(p) is { LinkTarget: { } target } ? $"{p} -> {target}" : p));
    }
}
