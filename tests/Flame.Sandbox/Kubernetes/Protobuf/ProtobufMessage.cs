namespace Flame.Sandbox.Kubernetes.Protobuf;

/// <summary>How one field of a Kubernetes protobuf message maps to its JSON form.</summary>
public enum ProtobufFieldType
{
    Text,
    Number,
    Flag,
    Timestamp,
    IntOrString,
    QuantityMap,
    Message,
    RepeatedMessage,
    RepeatedString,
    StringMap,
    BytesMap,
}

/// <summary>
/// A field of a message: number, JSON name, type and (for messages) the nested message. <paramref name="Optional"/>
/// marks a Go pointer field: gogo-protobuf writes it only when set, so even its zero value is kept (a plain field's
/// zero value is always written and means "unset", as JSON's omitempty).
/// </summary>
public sealed record ProtobufFieldSpec(int Number, string Name, ProtobufFieldType Type, ProtobufMessage? Message = null, bool Optional = false);

/// <summary>A message type: its Go name (for error messages) and the fields the sandbox decodes.</summary>
public sealed record ProtobufMessage(string Name, IReadOnlyList<ProtobufFieldSpec> Fields)
{
    public ProtobufFieldSpec? Field(int number) => Fields.FirstOrDefault(f => f.Number == number);
}
