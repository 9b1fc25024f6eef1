namespace Flame.Sandbox.Kubernetes.Protobuf;

/// <summary>Reads protobuf wire format (varints and length-delimited fields; no codegen), one field at a time.</summary>
public sealed class ProtobufReader(ReadOnlyMemory<byte> data)
{
    private int _position;

    public bool AtEnd => _position >= data.Length;

    /// <summary>The next field: its number, wire type and either its varint value or its bytes.</summary>
    public ProtobufField Next()
    {
        var tag = ReadVarint();
        var number = (int)(tag >> 3);
        var wireType = (int)(tag & 7);
        switch (wireType)
        {
            case 0:
                return new ProtobufField(number, wireType, ReadVarint(), ReadOnlyMemory<byte>.Empty);
            case 1:
                return new ProtobufField(number, wireType, 0, Take(8));
            case 2:
                var length = ReadVarint();
                if (length > (ulong)(data.Length - _position))
                {
                    throw Malformed("a length-delimited field runs past the end");
                }

                return new ProtobufField(number, wireType, 0, Take((int)length));
            case 5:
                return new ProtobufField(number, wireType, 0, Take(4));
            default:
                throw Malformed($"unsupported wire type {wireType}");
        }
    }

    private ReadOnlyMemory<byte> Take(int length)
    {
        if (length > data.Length - _position)
        {
            throw Malformed("a field runs past the end");
        }

        var slice = data.Slice(_position, length);
        _position += length;
        return slice;
    }

    private ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= data.Length)
            {
                throw Malformed("a varint runs past the end");
            }

            var b = data.Span[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw Malformed("a varint is longer than 10 bytes");
    }

    private static ApiException Malformed(string problem) => ApiException.BadRequest($"unable to decode protobuf body: {problem}");
}

/// <summary>One decoded field: <see cref="Varint"/> for wire type 0, <see cref="Bytes"/> otherwise.</summary>
public readonly record struct ProtobufField(int Number, int WireType, ulong Varint, ReadOnlyMemory<byte> Bytes)
{
    /// <summary>A field gogo-protobuf writes even when it holds its zero value (empty string, message or number).</summary>
    public bool IsEmpty => WireType == 0 ? Varint == 0 : Bytes.IsEmpty;
}
