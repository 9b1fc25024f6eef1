using Flame.Po.Persistence;

namespace Flame.Po.Tests.Persistence;

public sealed class MigrationCatalogTests
{
    [Theory]
    [InlineData("0001_schema_base.sql", 1, "schema_base")]
    [InlineData("0012_add_x.sql", 12, "add_x")]
    public void Parses_versioned_file_names(string fileName, int version, string name)
    {
        var migration = Migration.FromFileName(fileName, "SELECT 1");

        migration.Should().NotBeNull();
        migration!.Version.Should().Be(version);
        migration.Name.Should().Be(name);
    }

    [Theory]
    [InlineData("schema.sql")]
    [InlineData("0000_zero.sql")]
    [InlineData("abc_x.sql")]
    [InlineData("0001_x.txt")]
    public void Ignores_names_outside_the_pattern(string fileName) => Migration.FromFileName(fileName, "").Should().BeNull();

    [Fact]
    public void The_embedded_migrations_are_ordered_unique_and_start_at_one()
    {
        var versions = MigrationCatalog.Embedded.Select(m => m.Version).ToList();

        versions.Should().NotBeEmpty().And.BeInAscendingOrder().And.OnlyHaveUniqueItems();
        versions[0].Should().Be(1);
    }

    [Fact]
    public void Duplicate_versions_are_refused()
    {
        var act = () => MigrationCatalog.Validated([new Migration(1, "a", "x"), new Migration(1, "b", "y")]);

        act.Should().Throw<InvalidOperationException>().WithMessage("*version 1*");
    }

    [Fact]
    public void The_checksum_changes_with_the_script() =>
        new Migration(1, "a", "SELECT 1").Checksum.Should().NotBe(new Migration(1, "a", "SELECT 2").Checksum);
}
