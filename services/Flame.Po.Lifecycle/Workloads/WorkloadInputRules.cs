using System.Net;
using System.Net.Sockets;
using Flame.Po.Core.Analyses;



namespace Flame.Po.Lifecycle.Workloads;

/// <summary>
/// Validation of everything that flows into object names, labels, env values and nginx directives. Ids become
/// Kubernetes names and nginx regexes, so they must be lower-case UUIDs; names must be DNS-1123 labels; free
/// text must not contain control characters (a newline could start a new nginx directive or YAML key).
/// </summary>
public static class WorkloadInputRules
{
    public static string LowerCaseUuid(string? value, string field)
    {
        if (value is null || !Guid.TryParseExact(value, "D", out var parsed) || parsed.ToString("D") != value)
        {
            throw new WorkloadInputException(field, "must be a lower-case UUID (8-4-4-4-12 hexadecimal digits)");
        }

        return value;
    }

    public static string Dns1123Label(string? value, string field)
    {
        if (!KubernetesNames.IsDns1123Label(value))
        {
            throw new WorkloadInputException(field, "must be a DNS-1123 label (at most 63 characters of a-z, 0-9 and '-', alphanumeric at both ends)");
        }

        return value!;
    }

    /// <summary>Free text such as tokens and user names: may be empty, never a control character.</summary>
    public static string Text(string? value, string field, bool allowEmpty)
    {
        if (value is null || (!allowEmpty && value.Length == 0))
        {
            throw new WorkloadInputException(field, "must not be empty");
        }

        if (value.Any(char.IsControl))
        {
            throw new WorkloadInputException(field, "must not contain control characters such as newlines");
        }

        return value;
    }

    /// <summary>A container image reference: registry/path[:tag][@digest], as the Api checks it (<see cref="AnalysisLimits"/>).</summary>
    public static string Image(string? value, string field)
    {
        Text(value, field, allowEmpty: false);
        if (!AnalysisLimits.IsImageReference(value))
        {
            throw new WorkloadInputException(field, "must be an image reference such as registry.example.org/project/image:tag");
        }

        return value;
    }

    /// <summary>A registry host with optional port and path, as written in a docker config's <c>auths</c> key (<see cref="AnalysisLimits"/>).</summary>
    public static string Registry(string? value, string field)
    {
        Text(value, field, allowEmpty: false);
        if (!AnalysisLimits.IsRegistryReference(value))
        {
            throw new WorkloadInputException(field, "must be a registry host name with optional scheme, port and path");
        }

        return value;
    }

    public static int Range(int value, string field, int min, int max)
    {
        if (value < min || value > max)
        {
            throw new WorkloadInputException(field, $"must be between {min} and {max}");
        }

        return value;
    }

    /// <summary>Pod IPs for nginx allow-lists: at least one, each a literal IPv4 or IPv6 address.</summary>
    public static IReadOnlyList<IPAddress> Addresses(IReadOnlyList<IPAddress>? values, string field)
    {
        if (values is null || values.Count == 0)
        {
            throw new WorkloadInputException(field, "must name at least one pod IP (is the pod running?)");
        }

        if (values.Any(a => a is null || a.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)))
        {
            throw new WorkloadInputException(field, "must contain only IPv4 or IPv6 addresses");
        }

        return values;
    }
}
