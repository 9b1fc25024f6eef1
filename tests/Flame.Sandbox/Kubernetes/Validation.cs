using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes;

/// <summary>The apiserver validation rules the PO's manifests can hit; violations become 422 Invalid with causes.</summary>
public static partial class Validation
{
    private const string Dns1123SubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private const string Dns1035Message = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
    private const string Dns1123LabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Label();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedNamePart();

    public static bool IsLabelValue(string value) => value.Length == 0 || (value.Length <= 63 && QualifiedNamePart().IsMatch(value));

    public static bool IsQualifiedName(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var name = slash < 0 ? key : key[(slash + 1)..];
        if (slash >= 0)
        {
            var prefix = key[..slash];
            if (prefix.Length == 0 || prefix.Length > 253 || !Dns1123Subdomain().IsMatch(prefix))
            {
                return false;
            }
        }

        return name.Length is > 0 and <= 63 && QualifiedNamePart().IsMatch(name);
    }

    public static List<StatusCause> Validate(ResourceKind kind, JsonObject obj, JsonObject? old)
    {
        var causes = new List<StatusCause>();
        var name = obj.Str("metadata", "name") ?? "";
        ValidateName(kind, name, causes);
        ValidateLabels(obj.At("metadata", "labels"), "metadata.labels", causes);
        switch (kind.Plural)
        {
            case "deployments":
                ValidateDeployment(obj, old, causes);
                break;
            case "pods":
                ValidatePodSpec(obj.At("spec") as JsonObject, "spec", causes, requireAlways: false);
                break;
            case "secrets":
                ValidateSecret(obj, causes);
                break;
            case "services":
                ValidateService(obj, causes);
                break;
            default:
                break;
        }

        return causes;
    }

    private static void ValidateName(ResourceKind kind, string name, List<StatusCause> causes)
    {
        if (name.Length == 0)
        {
            causes.Add(new("FieldValueRequired", "metadata.name", "Required value: name or generateName is required"));
            return;
        }

        var (ok, message, max) = kind.Plural switch
        {
            "services" => (Dns1035Label().IsMatch(name), Dns1035Message, 63),
            "namespaces" => (Dns1123Label().IsMatch(name), Dns1123LabelMessage, 63),
            _ => (Dns1123Subdomain().IsMatch(name), Dns1123SubdomainMessage, 253),
        };
        if (name.Length > max)
        {
            causes.Add(new("FieldValueInvalid", "metadata.name", $"Invalid value: \"{name}\": must be no more than {max} characters"));
        }
        else if (!ok)
        {
            causes.Add(new("FieldValueInvalid", "metadata.name", $"Invalid value: \"{name}\": {message}"));
        }
    }

    private static void ValidateLabels(JsonNode? labels, string path, List<StatusCause> causes)
    {
        foreach (var (key, value) in labels.StringMap())
        {
            if (!IsQualifiedName(key))
            {
                causes.Add(new("FieldValueInvalid", path, $"Invalid value: \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
            }

            if (!IsLabelValue(value))
            {
                causes.Add(new("FieldValueInvalid", path, $"Invalid value: \"{value}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
            }
        }
    }

    private static void ValidateDeployment(JsonObject obj, JsonObject? old, List<StatusCause> causes)
    {
        var selector = obj.At("spec", "selector");
        var templateLabels = obj.At("spec", "template", "metadata", "labels").StringMap();
        ValidateLabels(obj.At("spec", "template", "metadata", "labels"), "spec.template.metadata.labels", causes);
        var matchLabels = selector.At("matchLabels").StringMap();
        if (selector is null || (matchLabels.Count == 0 && selector.At("matchExpressions") is null))
        {
            causes.Add(new("FieldValueRequired", "spec.selector", "Required value"));
        }
        else if (!matchLabels.All(kv => templateLabels.TryGetValue(kv.Key, out var v) && v == kv.Value))
        {
            causes.Add(new("FieldValueInvalid", "spec.template.metadata.labels", $"Invalid value: {JsonSerializer.Serialize(templateLabels)}: `selector` does not match template `labels`"));
        }

        if (old is not null && selector is not null && !JsonNode.DeepEquals(selector, old.At("spec", "selector")))
        {
            causes.Add(new("FieldValueInvalid", "spec.selector", $"Invalid value: {selector.ToJsonString()}: field is immutable"));
        }

        if (obj.Num("spec", "replicas") is < 0)
        {
            causes.Add(new("FieldValueInvalid", "spec.replicas", $"Invalid value: {obj.Num("spec", "replicas")}: must be greater than or equal to 0"));
        }

        ValidatePodSpec(obj.At("spec", "template", "spec") as JsonObject, "spec.template.spec", causes, requireAlways: true);
    }

    private static void ValidatePodSpec(JsonObject? spec, string path, List<StatusCause> causes, bool requireAlways)
    {
        var containers = spec?.At("containers").Objects().ToList() ?? [];
        if (containers.Count == 0)
        {
            causes.Add(new("FieldValueRequired", $"{path}.containers", "Required value"));
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < containers.Count; i++)
        {
            var c = containers[i];
            var cname = c.Str("name");
            if (string.IsNullOrEmpty(cname))
            {
                causes.Add(new("FieldValueRequired", $"{path}.containers[{i}].name", "Required value"));
            }
            else if (!Dns1123Label().IsMatch(cname) || cname.Length > 63)
            {
                causes.Add(new("FieldValueInvalid", $"{path}.containers[{i}].name", $"Invalid value: \"{cname}\": {Dns1123LabelMessage}"));
            }
            else if (!names.Add(cname))
            {
                causes.Add(new("FieldValueDuplicate", $"{path}.containers[{i}].name", $"Duplicate value: \"{cname}\""));
            }

            if (string.IsNullOrWhiteSpace(c.Str("image")))
            {
                causes.Add(new("FieldValueRequired", $"{path}.containers[{i}].image", "Required value"));
            }
        }

        var restart = spec?.Str("restartPolicy");
        if (requireAlways && restart is not null && restart != "Always")
        {
            causes.Add(new("FieldValueNotSupported", $"{path}.restartPolicy", $"Unsupported value: \"{restart}\": supported values: \"Always\""));
        }
    }

    private static void ValidateSecret(JsonObject obj, List<StatusCause> causes)
    {
        if (obj.Str("type") != "kubernetes.io/dockerconfigjson")
        {
            return;
        }

        var encoded = obj.Str("data", ".dockerconfigjson");
        if (encoded is null)
        {
            causes.Add(new("FieldValueRequired", "data[.dockerconfigjson]", "Required value"));
            return;
        }

        try
        {
            using var _ = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(encoded)));
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            causes.Add(new("FieldValueInvalid", "data[.dockerconfigjson]", $"Invalid value: \"<secret contents redacted>\": {e.Message}"));
        }
    }

    private static void ValidateService(JsonObject obj, List<StatusCause> causes)
    {
        var ports = obj.At("spec", "ports").Objects().ToList();
        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i].Num("port") is not (> 0 and < 65536))
            {
                causes.Add(new("FieldValueInvalid", $"spec.ports[{i}].port", $"Invalid value: {ports[i]["port"]?.ToJsonString() ?? "0"}: must be between 1 and 65535, inclusive"));
            }

            if (ports.Count > 1 && string.IsNullOrEmpty(ports[i].Str("name")))
            {
                causes.Add(new("FieldValueRequired", $"spec.ports[{i}].name", "Required value"));
            }
        }
    }
}
