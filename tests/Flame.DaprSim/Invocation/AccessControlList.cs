using Flame.DaprSim.Resources;

namespace Flame.DaprSim.Invocation;

/// <summary>
/// A target app's access control policies (Dapr docs: invoke-allowlist; daprd: pkg/acl/acl.go). The caller is identified
/// by its SPIFFE id <c>spiffe://{trustDomain}/ns/{namespace}/{appId}</c>; the simulator takes it from the sidecar that
/// received the call, as mTLS would. Without an identity the global default applies; a policy applies only when its
/// trust domain and namespace match; then an operation (and verb) match, the app's default, and the global default decide.
/// </summary>
public sealed class AccessControlList
{
    private readonly Dictionary<string, AppPolicy> _policies;

    private AccessControlList(string defaultAction, string trustDomain, Dictionary<string, AppPolicy> policies)
    {
        DefaultAction = defaultAction;
        TrustDomain = trustDomain;
        _policies = policies;
    }

    public string DefaultAction { get; }

    public string TrustDomain { get; }

    /// <summary>daprd: <c>ParseAccessControlSpec</c>; null when no access control is configured (everything allowed).</summary>
    public static AccessControlList? Parse(AccessControlSpec? spec)
    {
        if (spec is null || (spec.TrustDomain.Length == 0 && spec.DefaultAction.Length == 0 && spec.Policies.Count == 0))
        {
            return null;
        }

        var defaultAction = spec.DefaultAction.ToLowerInvariant();
        if (defaultAction.Length == 0)
        {
            // App policies without a global default: daprd defaults to the more secure deny.
            defaultAction = spec.Policies.Count > 0 ? "deny" : "allow";
        }

        var invalid = spec.Policies.Where(p => p.AppId.Length == 0 || p.TrustDomain.Length == 0 || p.Namespace.Length == 0).ToList();
        if (invalid.Count > 0)
        {
            throw new InvalidDataException(
                "invalid access control spec: every app policy needs appId, trustDomain and namespace (" + string.Join(", ", invalid.Select(p => p.AppId)) + ")");
        }

        var policies = new Dictionary<string, AppPolicy>(StringComparer.Ordinal);
        foreach (var policy in spec.Policies)
        {
            var trie = new OperationTrie();
            foreach (var operation in policy.Operations)
            {
                // The app protocol is HTTP: operation names are matched case-insensitively.
                var name = (operation.Name.StartsWith('/') ? operation.Name : "/" + operation.Name).ToLowerInvariant();
                trie.Put(name, new OperationAction(operation.HttpVerbs.ToDictionary(v => v, _ => operation.Action, StringComparer.Ordinal), operation.Action));
            }

            policies[policy.AppId + "||" + policy.Namespace] = new AppPolicy(policy, trie);
        }

        return new AccessControlList(defaultAction, spec.TrustDomain.Length == 0 ? "public" : spec.TrustDomain, policies);
    }

    /// <summary>Whether <paramref name="caller"/> may call <paramref name="operation"/> with <paramref name="verb"/>.</summary>
    public bool IsAllowed(CallerIdentity? caller, string operation, string verb)
    {
        var action = DefaultAction;
        if (caller is null || !_policies.TryGetValue(caller.AppId + "||" + caller.Namespace, out var policy))
        {
            return Allowed(action);
        }

        if (policy.Spec.TrustDomain != caller.TrustDomain || policy.Spec.Namespace != caller.Namespace)
        {
            return Allowed(action);
        }

        if (policy.Spec.DefaultAction.Length > 0)
        {
            action = policy.Spec.DefaultAction;
        }

        var input = (operation.StartsWith('/') ? operation : "/" + operation).ToLowerInvariant();
        if (policy.Operations.Search(input) is { } match)
        {
            if (match.VerbActions.TryGetValue(verb, out var verbAction) || match.VerbActions.TryGetValue("*", out verbAction))
            {
                action = verbAction;
            }
        }

        return Allowed(action);
    }

    private static bool Allowed(string action) => string.Equals(action, "allow", StringComparison.OrdinalIgnoreCase);

    private sealed record AppPolicy(AppPolicySpec Spec, OperationTrie Operations);
}

/// <summary>A caller's mTLS identity.</summary>
public sealed record CallerIdentity(string TrustDomain, string Namespace, string AppId)
{
    public string SpiffeId => $"spiffe://{TrustDomain}/ns/{Namespace}/{AppId}";
}
