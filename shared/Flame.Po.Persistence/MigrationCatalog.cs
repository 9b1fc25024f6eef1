namespace Flame.Po.Persistence;

/// <summary>The ordered migrations embedded in this assembly (folder <c>Migrations/</c>).</summary>
public static class MigrationCatalog
{
    private const string ResourcePrefix = "Flame.Po.Persistence.Migrations.";

    public static IReadOnlyList<Migration> Embedded { get; } = Load();

    private static List<Migration> Load()
    {
        var assembly = typeof(MigrationCatalog).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            var fileName = resource[ResourcePrefix.Length..];
            var migration = Migration.FromFileName(fileName, reader.ReadToEnd())
                ?? throw new InvalidOperationException($"Embedded migration '{fileName}' does not follow the NNNN_name.sql pattern.");
            migrations.Add(migration);
        }

        return Validated(migrations);
    }

    /// <summary>Orders migrations by version and refuses duplicates.</summary>
    public static List<Migration> Validated(IEnumerable<Migration> migrations)
    {
        var ordered = migrations.OrderBy(m => m.Version).ToList();
        var duplicate = ordered.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two migrations share version {duplicate.Key}: {string.Join(", ", duplicate.Select(m => m.Name))}.");
        }

        return ordered;
    }
}
