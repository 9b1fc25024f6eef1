namespace Flame.Sandbox.Kubernetes.Protobuf;

/// <summary>How one field of a Kubernetes protobuf message maps to its JSON form.</summary>
public enum ProtobufFieldType
{
    Text,
    Number,
    Flag,
    Timestamp,
    Message,
    RepeatedMessage,
    RepeatedString,
    StringMap,
    BytesMap,
}

/// <summary>A field of a message: number, JSON name, type and (for messages) the nested message.</summary>
public sealed record ProtobufFieldSpec(int Number, string Name, ProtobufFieldType Type, ProtobufMessage? Message = null);

/// <summary>A message type: its Go name (for error messages) and the fields the sandbox decodes.</summary>
public sealed record ProtobufMessage(string Name, IReadOnlyList<ProtobufFieldSpec> Fields)
{
    public ProtobufFieldSpec? Field(int number) => Fields.FirstOrDefault(f => f.Number == number);
}
