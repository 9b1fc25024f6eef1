using Flame.DaprSim.Errors;

namespace Flame.DaprSim.State;

/// <summary>
/// daprd's key prefixing (daprd: pkg/components/state/state_config.go): by default a key is stored as
/// <c>{appId}||{key}</c>, so apps sharing a store do not see each other's keys. The component's <c>keyPrefix</c>
/// metadata selects <c>appid</c> (default), <c>name</c> (the store name), <c>namespace</c>, <c>none</c> or a fixed prefix.
/// </summary>
public sealed class StateKeys
{
    private const string Separator = "||";
    private readonly string _strategy;
    private readonly string _storeName;
    private readonly string _namespace;

    public StateKeys(string? keyPrefix, string storeName, string @namespace)
    {
        _strategy = string.IsNullOrEmpty(keyPrefix) ? "appid" : keyPrefix.ToLowerInvariant();
        _storeName = storeName;
        _namespace = @namespace;
    }

    public string Modify(string key, string appId)
    {
        if (key.Contains(Separator, StringComparison.Ordinal))
        {
            throw DaprErrors.IllegalKey(key);
        }

        return _strategy switch
        {
            "none" => key,
            "name" => _storeName + Separator + key,
            "appid" => appId.Length == 0 ? key : appId + Separator + key,
            // NAMESPACE is set on Kubernetes only; self-hosted daprd falls back to the app id strategy.
            "namespace" => appId.Length == 0 ? key : _namespace.Length == 0 ? appId + Separator + key : _namespace + "." + appId + Separator + key,
            _ => _strategy + Separator + key,
        };
    }

    /// <summary>daprd: <c>GetOriginalStateKey</c>, the part after the first separator.</summary>
    public static string Original(string modified)
    {
        var parts = modified.Split(Separator, 3);
        return parts.Length <= 1 ? modified : parts[1];
    }
}
