namespace Brokkr.Tests.ServiceDefaults;

/// <summary>A minimal protobuf wire-format reader: enough to walk OTLP export requests by field number.</summary>
internal readonly record struct ProtobufField(int Number, int WireType, ulong Varint, ReadOnlyMemory<byte> Bytes)
{
    public string String => System.Text.Encoding.UTF8.GetString(Bytes.Span);

    public string Hex => Convert.ToHexStringLower(Bytes.Span);

    public IEnumerable<ProtobufField> Message => ProtobufReader.Read(Bytes);
}

internal static class ProtobufReader
{
    public static IEnumerable<ProtobufField> Read(ReadOnlyMemory<byte> message)
    {
        var position = 0;
        while (position < message.Length)
        {
            var key = ReadVarint(message.Span, ref position);
            var number = (int)(key >> 3);
            var wireType = (int)(key & 7);
            switch (wireType)
            {
                case 0:
                    yield return new ProtobufField(number, wireType, ReadVarint(message.Span, ref position), default);
                    break;
                case 1:
                    yield return new ProtobufField(number, wireType, BitConverter.ToUInt64(message.Span.Slice(position, 8)), message.Slice(position, 8));
                    position += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message.Span, ref position);
                    yield return new ProtobufField(number, wireType, 0, message.Slice(position, length));
                    position += length;
                    break;
                case 5:
                    yield return new ProtobufField(number, wireType, BitConverter.ToUInt32(message.Span.Slice(position, 4)), message.Slice(position, 4));
                    position += 4;
                    break;
                default:
                    throw new InvalidDataException($"unsupported protobuf wire type {wireType}");
            }
        }
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int position)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[position++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    /// <summary>All sub-messages reached by following <paramref name="path"/> field numbers.</summary>
    public static IEnumerable<ProtobufField> Path(this IEnumerable<ProtobufField> fields, params int[] path)
    {
        var current = fields;
        for (var i = 0; i < path.Length; i++)
        {
            var number = path[i];
            var matches = current.Where(f => f.Number == number);
            current = i == path.Length - 1 ? matches : matches.SelectMany(f => f.Message);
        }

        return current;
    }
}
