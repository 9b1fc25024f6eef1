namespace Flame.Po.IntegrationTests.Support;

/// <summary>The repository's Dapr components copied to a fresh temporary directory for a simulated sidecar.</summary>
public static class ComponentsCopy
{
    /// <param name="edit">Given a file name and its text, the text to write, or null to leave the file out.</param>
    public static string Create(Func<string, string, string?>? edit = null)
    {
        var target = Path.Combine(Path.GetTempPath(), "flame-po-components-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "components"), "*.yaml"))
        {
            var name = Path.GetFileName(file);
            if ((edit is null ? File.ReadAllText(file) : edit(name, File.ReadAllText(file))) is { } text)
            {
                File.WriteAllText(Path.Combine(target, name), text);
            }
        }

        return target;
    }
}
