using System.Text.Json;
using Dapr.Client;
using Flame.Po.Core;
using Flame.Po.Dapr.PubSub;
using Flame.Po.Dapr.Sidecar;
using Flame.Po.Dapr.State;
using Flame.Po.IntegrationTests.Support;
using Microsoft.Extensions.Options;

namespace Flame.Po.IntegrationTests.Dapr;

/// <summary>
/// The Dapr adapters of the state store and publisher, through the Dapr .NET SDK, against the simulated sidecar (which
/// answers as daprd with state.postgresql v2 does). The <see cref="IStateStore"/> contract itself (ETag conflicts,
/// first-write inserts, atomic transactions) is <see cref="Flame.Po.IntegrationTests.State.StateStoreConformance"/>; here what only the adapter does.
/// </summary>
public sealed class DaprAdapterTests : IAsyncLifetime
{
    private SimulatedSidecar _sidecar = null!;
    private DaprClient _client = null!;
    private DaprStateStore _store = null!;

    public async Task InitializeAsync()
    {
        _sidecar = await SimulatedSidecar.StartAsync();
        var sidecar = _sidecar.Sim.Sidecars[0];
        _client = new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{sidecar.GrpcPort}").UseHttpEndpoint($"http://127.0.0.1:{sidecar.HttpPort}").Build();
        _store = new DaprStateStore(_client, Options.Create(new DaprSettings()));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _sidecar.DisposeAsync();
    }

    [Fact]
    public async Task Daprd_prefixes_the_stored_keys_with_the_app_id()
    {
        await _store.SaveAsync("analysis-a", Json("""{"status":"starting"}"""), null, StateConcurrency.LastWrite, CancellationToken.None);

        (await _store.GetAsync("analysis-a", CancellationToken.None))!.Value.GetProperty("status").GetString().Should().Be("starting");
        _sidecar.Sim.StateEntries("statestore", "lifecycle").Keys.Should().Contain("analysis-a", "daprd prefixes keys with the app id");
    }

    [Fact]
    public async Task An_unreachable_sidecar_is_unavailable_for_state_and_publishing()
    {
        using var nowhere = new DaprClientBuilder().UseGrpcEndpoint($"http://127.0.0.1:{FreePort.Next()}").Build();
        var store = new DaprStateStore(nowhere, Options.Create(new DaprSettings()));

        var get = () => store.GetAsync("k", CancellationToken.None);
        var publish = () => new DaprEventPublisher(nowhere).PublishAsync(Topics.AnalysisEvents, new { a = 1 }, CancellationToken.None);

        await get.Should().ThrowAsync<StateStoreUnavailableException>();
        await publish.Should().ThrowAsync<EventPublishException>();
    }

    [Fact]
    public async Task Published_data_is_snake_case_json_in_daprds_cloud_event()
    {
        await new DaprEventPublisher(_client).PublishAsync(Topics.AnalysisEvents, new Sample("a-1", 3), CancellationToken.None);

        var published = _sidecar.Sim.Published.Single(p => p.Topic == Topics.AnalysisEvents);
        published.PubSub.Should().Be(Topics.PubSubName);
        var envelope = JsonDocument.Parse(published.Body).RootElement;
        envelope.GetProperty("data").GetRawText().Should().Be("""{"analysis_id":"a-1","restart_counter":3}""");
        envelope.GetProperty("datacontenttype").GetString().Should().Be("application/json");
        envelope.GetProperty("source").GetString().Should().Be("lifecycle");
    }

    private sealed record Sample(string AnalysisId, int RestartCounter);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
