using Flame.Po.ServiceDefaults.Settings;

namespace Flame.Po.Tests.Settings;

public sealed class DotEnvFileTests
{
    [Fact]
    public void Parses_assignments_comments_quotes_and_export()
    {
        var values = DotEnvFile.Parse(
        [
            "# comment",
            "",
            "POSTGRES_HOST=db",
            "export KEYCLOAK_REALM = flame ",
            "HUB_URL_CORE=\"https://core.example.org\"",
            "QUOTED='a=b'",
            "EMPTY=",
            "not an assignment",
            "=novalue",
        ]);

        values.Should().BeEquivalentTo(new Dictionary<string, string?>
        {
            ["POSTGRES_HOST"] = "db",
            ["KEYCLOAK_REALM"] = "flame",
            ["HUB_URL_CORE"] = "https://core.example.org",
            ["QUOTED"] = "a=b",
            ["EMPTY"] = "",
        });
    }
}
