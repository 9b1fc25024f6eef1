using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Flame.Po.Core.Analyses;
using Flame.Po.IntegrationTests.Lifecycle;
using Flame.Po.Lifecycle.Analyses;

namespace Flame.Po.IntegrationTests.Api;

/// <summary>Api tests run one after another: each class has its own whole host, sandbox and database.</summary>
[CollectionDefinition(Name)]
public sealed class ApiTestGroup
{
    public const string Name = "api";
}

/// <summary>
/// The whole host (<c>--target all</c>) on the sandbox and PostgreSQL, with one long-running analysis (the
/// "victim") that unauthorised or invalid requests try to stop, delete or re-create.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime, IAsyncDisposable
{
    public const string Image = "harbor.sandbox.local/sim/ok:runtime-36000s";

    public LifecycleHarness H { get; private set; } = null!;

    public string Victim { get; private set; } = "";

    public HttpClient Http => H.Host.Http;

    public async Task InitializeAsync()
    {
        // A short keep-alive so that event-stream tests see keep-alive comments without waiting 15 s. The orphan
        // grace is longer than the harness' 1 s: on a loaded machine a create may take over a second between
        // writing the analysis' Secrets and its record, and a tick in between would sweep the Secrets as orphans
        // (the analysis then fails with "Secret is missing"). Api tests do not test the sweep.
        H = await LifecycleHarness.StartAsync(new Dictionary<string, string?> { ["EVENTS_KEEPALIVE"] = "0.5", ["ORPHAN_GRACE"] = "15" }, timeScale: 0.05);

        Victim = Guid.NewGuid().ToString();
        using var created = await SendAsync(HttpMethod.Post, "/po/", H.Sandbox.Tokens.Management(), CreateBody(Victim));
        created.EnsureSuccessStatusCode();
        var record = await H.WaitForAsync(Victim, r => r.Status == AnalysisStatus.Executing || AnalysisStatus.IsTerminal(r.Status));
        record.Status.Should().Be(AnalysisStatus.Executing, record.Reason);
    }

    public async Task DisposeAsync() => await H.DisposeAsync();

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    /// <summary>A fixture of its own, for a test that changes every analysis.</summary>
    public static async Task<ApiFixture> StartAloneAsync()
    {
        var fixture = new ApiFixture();
        await fixture.InitializeAsync();
        return fixture;
    }

    public static JsonObject CreateBody(string analysisId, string image = Image) => new()
    {
        ["analysis_id"] = analysisId,
        ["project_id"] = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
        ["registry_url"] = "harbor.sandbox.local",
        ["image_url"] = image,
        ["registry_user"] = "robot$demo",
        ["registry_password"] = "registry-password",
        ["kong_token"] = "none_needed",
    };

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, JsonNode? body = null) =>
        SendRawAsync(method, path, token is null ? null : "Bearer " + token, body?.ToJsonString());

    public async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, string? authorization, string? body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(method, path);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>
    /// What a rejected request must leave untouched: every record's id, desired state and counter, every
    /// labelled Kubernetes object, and the realm's clients. Statuses are left out: the reconciler moves them on its own.
    /// </summary>
    public async Task<string> StateAsync()
    {
        var records = await H.Repository.ListAsync(activeOnly: false, CancellationToken.None);
        var lines = records.Select(s => s.Record).OrderBy(r => r.AnalysisId, StringComparer.Ordinal)
            .Select(r => $"{r.AnalysisId} {r.Desired} {r.RestartCounter}")
            .Concat(records.SelectMany(s => H.ObjectsOf(s.Record.AnalysisId)).Order(StringComparer.Ordinal))
            .Concat(H.Sandbox.Objects.List("secrets", H.Sandbox.Namespace, null).Select(o => "secret " + o["metadata"]?["name"]).Order(StringComparer.Ordinal))
            .Concat(H.Sandbox.Keycloak.Clients.Select(c => "client " + c.ClientId));
        return string.Join('\n', lines);
    }

    /// <summary>Creates an analysis over HTTP and waits until it executes.</summary>
    public async Task<string> CreateExecutingAsync(string image = Image)
    {
        var id = Guid.NewGuid().ToString();
        using var created = await SendAsync(HttpMethod.Post, "/po/", H.Sandbox.Tokens.Management(), CreateBody(id, image));
        created.EnsureSuccessStatusCode();
        var record = await H.WaitForAsync(id, r => r.Status == AnalysisStatus.Executing || AnalysisStatus.IsTerminal(r.Status));
        record.Status.Should().Be(AnalysisStatus.Executing, record.Reason);
        return id;
    }

    /// <summary>GET with a management token; asserts 200 and returns the JSON body.</summary>
    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path, H.Sandbox.Tokens.Management());
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(System.Net.HttpStatusCode.OK, text);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/json");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<AnalysisRecord?> RecordAsync(string analysisId) => (await H.Repository.GetAsync(analysisId, CancellationToken.None))?.Record;

    public static async Task ShouldBeProblemAsync(HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(status, text);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json", text);
        var problem = JsonDocument.Parse(text).RootElement;
        problem.GetProperty("status").GetInt32().Should().Be(status);
        problem.TryGetProperty("title", out _).Should().BeTrue();
        text.Should().NotContain("   at ", "a problem never carries a stack trace");
        text.Should().NotContain("Exception", "a problem never names an internal exception");
    }
}
