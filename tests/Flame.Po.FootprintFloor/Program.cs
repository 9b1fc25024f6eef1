using System.Globalization;
using System.Security.Cryptography;
using Flame.Po.FootprintFloor;
using k8s;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using OpenTelemetry.Metrics;

// The memory floor of the PO's libraries, without any PO code (README "Performance", `footprint-floor`): run with
// FLOOR_LEVEL (FloorLevel), POSTGRES_* from level 1 and FLOOR_KUBERNETES_URL (this process' own address) from level 4.
// GET /readyz answers when started; GET /floor/token gives the token that GET /floor/secure validates.
var level = Enum.Parse<FloorLevel>(Environment.GetEnvironmentVariable("FLOOR_LEVEL") ?? "0");
var builder = WebApplication.CreateBuilder(args);
using var rsa = RSA.Create(2048);
var key = new RsaSecurityKey(rsa) { KeyId = "floor" };
if (level >= FloorLevel.Npgsql)
{
    var connection = new NpgsqlConnectionStringBuilder
    {
        Host = Environment.GetEnvironmentVariable("POSTGRES_HOST"),
        Port = int.Parse(Environment.GetEnvironmentVariable("POSTGRES_PORT") ?? "5432", CultureInfo.InvariantCulture),
        Username = Environment.GetEnvironmentVariable("POSTGRES_USER"),
        Password = Environment.GetEnvironmentVariable("POSTGRES_PASSWORD"),
        Database = Environment.GetEnvironmentVariable("POSTGRES_DB"),
    };
    builder.Services.AddSingleton(NpgsqlDataSource.Create(connection));
    builder.Services.AddHostedService<DatabasePoll>();
}

if (level >= FloorLevel.OpenTelemetry)
{
    builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
        .AddAspNetCoreInstrumentation()
        .AddHttpClientInstrumentation()
        .AddRuntimeInstrumentation()
        .AddNpgsqlInstrumentation()
        .AddPrometheusExporter());
}

if (level >= FloorLevel.JwtBearer)
{
    builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
        options.TokenValidationParameters = new TokenValidationParameters { IssuerSigningKey = key, ValidIssuer = "floor", ValidAudience = "floor" });
    builder.Services.AddAuthorization();
}

if (level >= FloorLevel.KubernetesClient)
{
    var server = Environment.GetEnvironmentVariable("FLOOR_KUBERNETES_URL") ?? throw new InvalidOperationException("FLOOR_KUBERNETES_URL is not set.");
    builder.Services.AddSingleton<IKubernetes>(new Kubernetes(new KubernetesClientConfiguration { Host = server, AccessToken = "floor" }));
    builder.Services.AddHostedService<PodListPoll>();
}

if (level >= FloorLevel.Dapr)
{
    builder.Services.AddDaprClient();
}

var app = builder.Build();
if (level >= FloorLevel.Dapr)
{
    app.UseCloudEvents();
}

if (level >= FloorLevel.JwtBearer)
{
    app.UseAuthentication();
    app.UseAuthorization();
    app.MapGet("/floor/token", () => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "floor",
        Audience = "floor",
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
    }));
    app.MapGet("/floor/secure", () => "ok").RequireAuthorization();
}

if (level >= FloorLevel.OpenTelemetry)
{
    app.MapPrometheusScrapingEndpoint("/metrics");
}

if (level >= FloorLevel.KubernetesClient)
{
    // The API server of this floor: an empty pod list, as for a namespace without analyses.
    app.MapGet("/api/v1/namespaces/{ns}/pods", () => Results.Text("""{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[]}""", "application/json"));
}

if (level >= FloorLevel.Dapr)
{
    app.MapSubscribeHandler();
}

app.MapGet("/readyz", () => "ready");
app.MapGet("/", () => level.ToString());
await app.RunAsync();
