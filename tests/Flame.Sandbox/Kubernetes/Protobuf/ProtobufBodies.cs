using System.Text;
using System.Text.Json.Nodes;

using Flame.Sandbox.Support;

namespace Flame.Sandbox.Kubernetes.Protobuf;

/// <summary>
/// Decodes <c>application/vnd.kubernetes.protobuf</c> request bodies into the JSON the rest of the sandbox works on.
/// The apiserver's envelope is the magic <c>k8s\0</c> and a <c>runtime.Unknown</c> (typeMeta, raw, contentEncoding,
/// contentType) whose raw bytes are the typed message. client-go sends built-in types this way and never falls back
/// to JSON (only CBOR has a 415 fallback), so kubectl's typed creates need it.
/// </summary>
public static class ProtobufBodies
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";

    private static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    public static bool Is(string? contentType) =>
        string.Equals(contentType?.Split(';')[0].Trim(), MediaType, StringComparison.OrdinalIgnoreCase);

    public static JsonObject Decode(ResourceKind urlKind, byte[] body)
    {
        if (!body.AsSpan().StartsWith(Magic))
        {
            throw ApiException.BadRequest("unable to decode protobuf body: provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
        }

        var envelope = new ProtobufReader(body.AsMemory(Magic.Length));
        var typeMeta = new JsonObject();
        var raw = ReadOnlyMemory<byte>.Empty;
        while (!envelope.AtEnd)
        {
            var field = envelope.Next();
            switch (field.Number)
            {
                case 1:
                    typeMeta = DecodeMessage(ProtobufMessages.TypeMeta, field.Bytes);
                    break;
                case 2:
                    raw = field.Bytes;
                    break;
                case 3 when !field.IsEmpty:
                    throw Unsupported($"content encoding {Encoding.UTF8.GetString(field.Bytes.Span)}");
                default:
                    break;
            }
        }

        var apiVersion = typeMeta.Str("apiVersion");
        var kindName = typeMeta.Str("kind");
        var kind = kindName is null ? urlKind : ResourceCatalog.ByKind(apiVersion ?? "", kindName);
        if (kind is null)
        {
            // An unknown type: TypeMeta.Resolve answers the decoder's 400 for it.
            return typeMeta;
        }

        var message = ProtobufMessages.For(kind) ?? throw Unsupported($"{kind.Kind} objects");
        var obj = DecodeMessage(message, raw);
        obj["apiVersion"] = apiVersion;
        obj["kind"] = kindName;
        return obj;
    }

    private static JsonObject DecodeMessage(ProtobufMessage message, ReadOnlyMemory<byte> bytes)
    {
        var obj = new JsonObject();
        var reader = new ProtobufReader(bytes);
        while (!reader.AtEnd)
        {
            var field = reader.Next();
            var spec = message.Field(field.Number);
            if (spec is null)
            {
                if (IsZero(field))
                {
                    continue;
                }

                throw Unsupported($"field {field.Number} of {message.Name}");
            }

            Set(obj, spec, field);
        }

        return obj;
    }

    private static void Set(JsonObject obj, ProtobufFieldSpec spec, ProtobufField field)
    {
        switch (spec.Type)
        {
            // gogo-protobuf writes strings, numbers and nested structs even when empty; JSON omits those.
            case ProtobufFieldType.Text when !field.IsEmpty:
                obj[spec.Name] = Text(field);
                break;
            case ProtobufFieldType.Number when spec.Optional || !field.IsEmpty:
                // Two's complement for negative numbers; int32 fields stay ints, as JSON parsing leaves them.
                var number = (long)field.Varint;
                obj[spec.Name] = number is >= int.MinValue and <= int.MaxValue ? JsonValue.Create((int)number) : JsonValue.Create(number);
                break;
            case ProtobufFieldType.Flag when spec.Optional || !field.IsEmpty:
                obj[spec.Name] = field.Varint != 0;
                break;
            case ProtobufFieldType.IntOrString when IntOrString(field.Bytes, spec.Optional) is { } intOrString:
                obj[spec.Name] = intOrString;
                break;
            case ProtobufFieldType.QuantityMap:
                var (name, quantity) = MapEntry(field.Bytes, binary: false, quantity: true);
                obj.Obj(spec.Name)[name] = quantity;
                break;
            case ProtobufFieldType.Timestamp when Time(field.Bytes) is { } time:
                obj[spec.Name] = time;
                break;
            case ProtobufFieldType.Message when DecodeMessage(spec.Message!, field.Bytes) is { Count: > 0 } nested:
                obj[spec.Name] = nested;
                break;
            case ProtobufFieldType.RepeatedMessage:
                obj.Arr(spec.Name).Add(DecodeMessage(spec.Message!, field.Bytes));
                break;
            case ProtobufFieldType.RepeatedString:
                obj.Arr(spec.Name).Add(Text(field));
                break;
            case ProtobufFieldType.StringMap or ProtobufFieldType.BytesMap:
                var (key, value) = MapEntry(field.Bytes, binary: spec.Type == ProtobufFieldType.BytesMap);
                obj.Obj(spec.Name)[key] = value;
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// A map entry is a message with the key as field 1 and the value as field 2; bytes become base64 as in JSON,
    /// a <c>resource.Quantity</c> (a message whose field 1 is the string form) its string.
    /// </summary>
    private static (string Key, string Value) MapEntry(ReadOnlyMemory<byte> bytes, bool binary, bool quantity = false)
    {
        var reader = new ProtobufReader(bytes);
        var key = "";
        var value = "";
        while (!reader.AtEnd)
        {
            var field = reader.Next();
            if (field.Number == 1)
            {
                key = Text(field);
            }
            else if (field.Number == 2)
            {
                value = binary ? Convert.ToBase64String(field.Bytes.Span) : quantity ? QuantityText(field.Bytes) : Text(field);
            }
        }

        return (key, value);
    }

    private static string QuantityText(ReadOnlyMemory<byte> bytes)
    {
        var reader = new ProtobufReader(bytes);
        var text = "";
        while (!reader.AtEnd)
        {
            var field = reader.Next();
            if (field.Number == 1)
            {
                text = Text(field);
            }
        }

        return text;
    }

    /// <summary>An <c>intstr.IntOrString</c> (type, intVal, strVal) as a JSON number or string; a plain field's zero int as null.</summary>
    private static JsonValue? IntOrString(ReadOnlyMemory<byte> bytes, bool optional)
    {
        var reader = new ProtobufReader(bytes);
        ulong type = 0;
        long intVal = 0;
        var strVal = "";
        while (!reader.AtEnd)
        {
            var field = reader.Next();
            switch (field.Number)
            {
                case 1:
                    type = field.Varint;
                    break;
                case 2:
                    intVal = (int)field.Varint;
                    break;
                case 3:
                    strVal = Text(field);
                    break;
                default:
                    break;
            }
        }

        return type == 1 ? JsonValue.Create(strVal) : intVal != 0 || optional ? JsonValue.Create((int)intVal) : null;
    }

    /// <summary>
    /// Whether a length-delimited field the sandbox does not decode holds nothing: gogo-protobuf writes every plain
    /// nested struct, so an unset status or security context arrives as a message of zero values.
    /// </summary>
    private static bool IsZero(ProtobufField field)
    {
        if (field.IsEmpty)
        {
            return true;
        }

        if (field.WireType != 2)
        {
            return false;
        }

        try
        {
            var reader = new ProtobufReader(field.Bytes);
            while (!reader.AtEnd)
            {
                if (!IsZero(reader.Next()))
                {
                    return false;
                }
            }

            return true;
        }
        catch (ApiException)
        {
            return false;
        }
    }

    /// <summary>A <c>meta/v1.Time</c> (seconds, nanos) as RFC 3339; the zero time (JSON null) as null.</summary>
    private static string? Time(ReadOnlyMemory<byte> bytes)
    {
        var reader = new ProtobufReader(bytes);
        long seconds = 0;
        while (!reader.AtEnd)
        {
            var field = reader.Next();
            if (field.Number == 1)
            {
                seconds = (long)field.Varint;
            }
        }

        return seconds == 0 ? null : SimClock.Rfc3339(DateTimeOffset.FromUnixTimeSeconds(seconds));
    }

    private static string Text(ProtobufField field) => Encoding.UTF8.GetString(field.Bytes.Span);

    private static ApiException Unsupported(string what) =>
        new(415, "UnsupportedMediaType", $"the sandbox does not decode {what} from {MediaType}; send application/json");
}
