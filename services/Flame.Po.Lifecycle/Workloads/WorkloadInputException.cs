namespace Flame.Po.Lifecycle.Workloads;

/// <summary>
/// An input that would produce an unsafe or invalid Kubernetes object or nginx configuration. Thrown before
/// anything is built. The message names the field and the rule, never the value (it may be a secret).
/// </summary>
public sealed class WorkloadInputException : ArgumentException
{
    public WorkloadInputException(string field, string rule)
        : base($"{field} {rule}.", field)
    {
        Field = field;
    }

    public WorkloadInputException()
    {
        Field = "";
    }

    public WorkloadInputException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "";
    }

    public string Field { get; }
}
