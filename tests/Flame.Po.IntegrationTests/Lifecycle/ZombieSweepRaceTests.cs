using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

using Flame.Po.IntegrationTests.Api;
using Flame.Sandbox.Faults;

namespace Flame.Po.IntegrationTests.Lifecycle;

/// <summary>
/// <c>DELETE /po/cleanup/zombies</c> racing creates (docs/compatibility.md#cleanup). A create writes its Secrets
/// before its record; with an orphan grace far shorter than a create, only the sweep's look at the creates in flight and its re-read of
/// the record stand between a create and the loss of its Secrets. Half the Secret creates are slowed by more than the grace (plus the
/// second creation timestamps lose), so many creates hold one Secret for seconds before their record exists. The reconciler is frozen
/// so that the Secrets are each analysis's only objects.
/// </summary>
public sealed class ZombieSweepRaceTests : IAsyncLifetime
{
    private const int Creates = 20;
    private LifecycleHarness _h = null!;

    public async Task InitializeAsync() =>
        _h = await LifecycleHarness.StartAsync(new Dictionary<string, string?> { ["RECONCILER_ENABLED"] = "false", ["ORPHAN_GRACE"] = "0.001" });

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task The_zombie_sweep_never_deletes_the_objects_of_an_analysis_being_created()
    {
        _h.Sandbox.Faults.Add(new FaultRule { Route = "k8s:create:secrets", Rate = 0.5, Latency = TimeSpan.FromSeconds(2.5) });
        var ids = Enumerable.Range(0, Creates).Select(_ => Guid.NewGuid().ToString()).ToList();
        var creates = Task.WhenAll(ids.Select(CreateAsync));
        var sweeps = new List<string>();
        do
        {
            sweeps.Add(await SweepAsync());
        }
        while (!creates.IsCompleted);

        var answers = await creates;
        sweeps.Add(await SweepAsync());

        answers.Should().AllSatisfy(status => status.Should().Be(HttpStatusCode.OK));
        foreach (var id in ids)
        {
            _h.ObjectsOf(id).Should().HaveCount(2, $"analysis {id} was created; a sweep must not take its Secrets");
        }

        sweeps.Should().AllSatisfy(summary => summary.Should().Contain("Deleted 0 zombie secrets"));
    }

    private async Task<HttpStatusCode> CreateAsync(string analysisId)
    {
        using var request = Request(HttpMethod.Post, "/po/");
        request.Content = new StringContent(ApiFixture.CreateBody(analysisId).ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _h.Host.Http.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<string> SweepAsync()
    {
        using var response = await _h.Host.Http.SendAsync(Request(HttpMethod.Delete, "/po/cleanup/zombies"));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("zombies").GetString()!;
    }

    private HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _h.Sandbox.Tokens.Management());
        return request;
    }
}
