using Flame.Po.ServiceDefaults.Logging;
using Microsoft.Extensions.Configuration;

namespace Flame.Po.Tests.Logging;

public sealed class SecretRedactorTests
{
    [Theory]
    [InlineData("POSTGRES_PASSWORD", true)]
    [InlineData("HUB_CLIENT_SECRET", true)]
    [InlineData("RESULT_CLIENT_SECRET", true)]
    [InlineData("DAPR_API_TOKEN", true)]
    [InlineData("APP_API_TOKEN", true)]
    [InlineData("NODE_KEY_PW", true)]
    [InlineData("POSTGRES_HOST", false)]
    [InlineData("HUB_CLIENT_ID", false)]
    public void Recognises_secret_variable_names(string name, bool secret) => SecretRedactor.IsSecretName(name).Should().Be(secret);

    [Fact]
    public void Collects_secret_values_from_configuration_and_masks_them()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["POSTGRES_PASSWORD"] = "p0stgres-pw",
            ["HUB_CLIENT_SECRET"] = "hub-secret-value",
            ["HUB_CLIENT_ID"] = "node-client",
        }).Build();

        var redactor = SecretRedactor.FromConfiguration(configuration);

        redactor.Redact("pw=p0stgres-pw hub=hub-secret-value id=node-client").Should().Be("pw=*** hub=*** id=node-client");
    }

    [Fact]
    public void Masks_the_longest_secret_first_and_ignores_tiny_values()
    {
        var redactor = new SecretRedactor(["abcd", "abcdefgh", "x"]);

        redactor.Redact("abcdefgh abcd x").Should().Be("*** *** x");
    }
}
