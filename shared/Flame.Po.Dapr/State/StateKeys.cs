namespace Flame.Po.Dapr.State;

internal static class StateKeys
{
    /// <summary>Dapr reserves <c>||</c> as the separator of its own key prefixes (Dapr docs, State management API reference, "Key scheme").</summary>
    public static void Validate(string key)
    {
        if (string.IsNullOrEmpty(key) || key.Contains("||", StringComparison.Ordinal))
        {
            throw new ArgumentException($"State key '{key}' is empty or contains the reserved separator '||'.", nameof(key));
        }
    }
}
