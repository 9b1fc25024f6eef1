using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;

using k8s.Models;

namespace Flame.Sandbox.Kubernetes.Schema;

/// <summary>
/// The type system of the served kinds, read from the official C# client's model classes (generated from the
/// Kubernetes OpenAPI spec): which JSON fields an object type has, and what each holds. Strict field validation and
/// the OpenAPI documents both come from it, so what the sandbox publishes is what it accepts.
/// </summary>
public static class ModelTypes
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyDictionary<string, Type>> FieldCache = new();

    public static Type For(ResourceKind kind) => kind.Plural switch
    {
        "pods" => typeof(V1Pod),
        "services" => typeof(V1Service),
        "configmaps" => typeof(V1ConfigMap),
        "secrets" => typeof(V1Secret),
        "namespaces" => typeof(V1Namespace),
        "deployments" => typeof(V1Deployment),
        "networkpolicies" => typeof(V1NetworkPolicy),
        _ => throw new ArgumentException($"no model for {kind.Plural}", nameof(kind)),
    };

    /// <summary>A JSON object with declared fields (a model class, not a scalar such as IntOrString or Quantity).</summary>
    public static bool IsObject(Type type) =>
        type.IsClass && type.Namespace == typeof(V1Pod).Namespace && type != typeof(IntOrString) && type != typeof(ResourceQuantity) && Fields(type).Count > 0;

    /// <summary>JSON field name → CLR type (nullable unwrapped), in declaration order.</summary>
    public static IReadOnlyDictionary<string, Type> Fields(Type type) => FieldCache.GetOrAdd(type, static t =>
    {
        var fields = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var property in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<JsonPropertyNameAttribute>() is { } name)
            {
                fields[name.Name] = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            }
        }

        return fields;
    });

    /// <summary>The element type of a list field, or null.</summary>
    public static Type? ListElement(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IList<>) ? type.GetGenericArguments()[0] : null;

    /// <summary>The value type of a map field (<c>map[string]T</c>), or null.</summary>
    public static Type? MapValue(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IDictionary<,>) ? type.GetGenericArguments()[1] : null;
}
