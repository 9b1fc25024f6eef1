using System.Net;
using System.Text.Json.Nodes;

using Flame.DaprSim.Invocation;
using Flame.DaprSim.Resources;
using Flame.DaprSim.Tests.Support;

namespace Flame.DaprSim.Tests.Invocation;

/// <summary>
/// Access control of the called app (Dapr docs: invoke-allowlist; daprd: pkg/acl/acl.go, pkg/config/acl_trie.go), with the
/// repository's real Configurations: only the api may invoke lifecycle and logging (components/config.yaml), and only
/// flame-hub-adapter may invoke the api, on /po/** (components/config-api.yaml).
/// </summary>
public sealed class AccessControlTests
{
    [Fact]
    public async Task The_real_configurations_allow_and_deny_as_designed()
    {
        await using var app = await TestApp.StartAsync((a, _) => a.Map("/{**path}", () => Results.Ok("ok")));
        string config = Path.Combine(Sim.Components, "config.yaml"), apiConfig = Path.Combine(Sim.Components, "config-api.yaml");
        await using var sim = await DaprSimulator.StartAsync(Sim.Options(Sim.Resources(),
            Sim.App("api", app.Port, config: apiConfig), Sim.App("lifecycle", app.Port, config: config), Sim.App("logging", app.Port, config: config),
            Sim.App("flame-hub-adapter", app.Port)));
        await Sim.Until(() => sim.Sidecars.All(s => s.Ready), "all apps up");

        async Task<HttpStatusCode> Call(string from, string to, string method, HttpMethod? verb = null)
        {
            using var http = Sim.Http(sim.Sidecar(from));
            using var response = await http.SendAsync(new HttpRequestMessage(verb ?? HttpMethod.Get, $"/v1.0/invoke/{to}/method/{method}"));
            return response.StatusCode;
        }

        (await Call("api", "lifecycle", "po/analysis/1")).Should().Be(HttpStatusCode.OK);
        (await Call("api", "logging", "anything", HttpMethod.Delete)).Should().Be(HttpStatusCode.OK);
        (await Call("logging", "lifecycle", "po/analysis/1")).Should().Be(HttpStatusCode.Forbidden);
        (await Call("flame-hub-adapter", "lifecycle", "po/x")).Should().Be(HttpStatusCode.Forbidden);
        (await Call("flame-hub-adapter", "api", "po/analysis/1/logs", HttpMethod.Post)).Should().Be(HttpStatusCode.OK);
        (await Call("flame-hub-adapter", "api", "PO/Upper")).Should().Be(HttpStatusCode.OK, "HTTP operations match case-insensitively");
        (await Call("flame-hub-adapter", "api", "other")).Should().Be(HttpStatusCode.Forbidden);
        (await Call("lifecycle", "api", "po/x")).Should().Be(HttpStatusCode.Forbidden);
        (await Call("flame-hub-adapter", "flame-hub-adapter", "self")).Should().Be(HttpStatusCode.OK, "a call to the own app id stays local");

        using var http = Sim.Http(sim.Sidecar("logging"));
        var body = JsonNode.Parse(await (await http.GetAsync("/v1.0/invoke/lifecycle/method/po/x")).Content.ReadAsStringAsync())!;
        body["errorCode"]!.GetValue<string>().Should().Be("ERR_DIRECT_INVOKE");
        body["message"]!.GetValue<string>().Should().Be(
            "failed to invoke, id: lifecycle, err: rpc error: code = PermissionDenied desc = access control policy has denied access to id: spiffe://public/ns/default/logging operation: po/x verb: GET");
        sim.Invocations.Where(i => i.Denied).Should().HaveCount(5);
    }

    [Fact]
    public async Task Without_mtls_callers_have_no_identity_and_the_global_default_applies()
    {
        await using var app = await TestApp.StartAsync((a, _) => a.Map("/{**path}", () => Results.Ok()));
        var options = Sim.Options(Sim.Resources(), Sim.App("api", app.Port), Sim.App("lifecycle", app.Port, config: Path.Combine(Sim.Components, "config.yaml"))) with { Mtls = false };
        await using var sim = await DaprSimulator.StartAsync(options);
        await Sim.ReadyAsync(sim.Sidecar("lifecycle"));
        using var http = Sim.Http(sim.Sidecar("api"));
        (await http.GetAsync("/v1.0/invoke/lifecycle/method/po/x")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("/x/*", "GET", "x/a", true)]
    [InlineData("/x/*", "GET", "x/a/b", false)]
    [InlineData("/x/**", "GET", "x/a/b", true)]
    [InlineData("/x/**", "GET", "x", true)]
    [InlineData("/x/a*c", "GET", "x/abbc", true)]
    [InlineData("/x/**", "POST", "x/a", false)]
    [InlineData("/y", "GET", "x/a", false)]
    public void Operations_and_verbs_match_as_daprd_does(string operation, string verb, string method, bool allowed)
    {
        var spec = new AccessControlSpec("deny", "public",
            [new AppPolicySpec("api", "deny", "public", "default", [new OperationSpec(operation, ["GET"], "allow")])]);
        var acl = AccessControlList.Parse(spec)!;
        acl.IsAllowed(new CallerIdentity("public", "default", "api"), method, verb).Should().Be(allowed);
        acl.IsAllowed(new CallerIdentity("other", "default", "api"), method, verb).Should().BeFalse("the trust domain must match");
        acl.IsAllowed(new CallerIdentity("public", "prod", "api"), method, verb).Should().BeFalse("the namespace must match");
    }

    [Fact]
    public void No_access_control_allows_everything_and_app_policies_without_a_global_default_deny()
    {
        AccessControlList.Parse(null).Should().BeNull();
        var acl = AccessControlList.Parse(new AccessControlSpec("", "", [new AppPolicySpec("api", "allow", "public", "default", [])]))!;
        acl.DefaultAction.Should().Be("deny");
        acl.IsAllowed(new CallerIdentity("public", "default", "api"), "x", "GET").Should().BeTrue();
        acl.IsAllowed(new CallerIdentity("public", "default", "other"), "x", "GET").Should().BeFalse();
    }
}
