namespace Flame.DaprSim.Resources;

/// <summary>
/// Everything read from the resources paths (daprd <c>--resources-path</c>): components, resiliency policies, declarative
/// subscriptions and Configurations (a Configuration applies only when a sidecar names it with its config file).
/// </summary>
public sealed class ResourceSet
{
    public List<ComponentSpec> Components { get; } = [];

    public List<ResiliencySpec> Resiliencies { get; } = [];

    public List<DeclarativeSubscription> Subscriptions { get; } = [];

    public List<ConfigurationSpec> Configurations { get; } = [];

    /// <summary>Loads every <c>*.yaml</c>/<c>*.yml</c> file of the given directories (or single files), as daprd does.</summary>
    public static ResourceSet Load(IEnumerable<string> paths)
    {
        var set = new ResourceSet();
        foreach (var path in paths)
        {
            IEnumerable<string> files = Directory.Exists(path)
                ? Directory.EnumerateFiles(path).Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal)
                : File.Exists(path) ? [path] : throw new DirectoryNotFoundException($"resources path {path} does not exist");
            foreach (var file in files)
            {
                foreach (var doc in YamlDocuments.ReadFile(file))
                {
                    set.Add(doc);
                }
            }
        }

        var duplicate = set.Components.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidDataException($"component {duplicate.Key} is defined more than once");
        }

        return set;
    }

    private void Add(System.Text.Json.Nodes.JsonObject doc)
    {
        switch (YamlDocuments.Text(doc["kind"]))
        {
            case "Component":
                Components.Add(ComponentSpec.Parse(doc));
                break;
            case "Resiliency":
                Resiliencies.Add(ResiliencySpec.Parse(doc));
                break;
            case "Subscription":
                Subscriptions.Add(DeclarativeSubscription.Parse(doc));
                break;
            case "Configuration":
                Configurations.Add(ConfigurationSpec.Parse(doc));
                break;
            default:
                break;
        }
    }
}
