/// Encodes a ``DynamicMessage`` in the protobuf binary format: fields in number order, default
/// values of fields without presence left out, repeated scalars packed where the schema says so,
/// map entries in key order (so the same message always gives the same bytes).
struct BinaryEncoder {
    /// Encodes a message.
    func encode(_ message: DynamicMessage) -> [UInt8] {
        var writer = WireWriter()
        write(message, to: &writer)
        return writer.bytes
    }

    private func write(_ message: DynamicMessage, to writer: inout WireWriter) {
        for field in message.schema.fields {
            switch message[field.number] {
            case nil:
                continue
            case .single(let value):
                if !field.hasPresence, value.isDefault { continue }
                write(value, of: field.type, number: field.number, delimited: field.isDelimited, to: &writer)
            case .list(let values):
                guard !values.isEmpty else { continue }
                if case .repeated(packed: true) = field.cardinality {
                    var packed = WireWriter()
                    for value in values {
                        writeScalar(value, of: field.type, to: &packed)
                    }
                    writer.writeTag(field.number, .lengthDelimited)
                    writer.writeLengthDelimited(packed.bytes)
                } else {
                    for value in values {
                        write(value, of: field.type, number: field.number, delimited: field.isDelimited, to: &writer)
                    }
                }
            case .map(let entries):
                guard case .map(let keyType, let valueType) = field.cardinality else { continue }
                for key in entries.keys.sorted() {
                    var entry = WireWriter()
                    write(key.value, of: keyType, number: 1, delimited: false, to: &entry)
                    if let value = entries[key] {
                        write(value, of: valueType, number: 2, delimited: false, to: &entry)
                    }
                    writer.writeTag(field.number, .lengthDelimited)
                    writer.writeLengthDelimited(entry.bytes)
                }
            }
        }
    }

    /// Writes a tag and one value.
    private func write(_ value: DynamicValue, of type: FieldType, number: Int32, delimited: Bool, to writer: inout WireWriter) {
        if case .message(let message) = value {
            if delimited {
                writer.writeTag(number, .startGroup)
                write(message, to: &writer)
                writer.writeTag(number, .endGroup)
            } else {
                writer.writeTag(number, .lengthDelimited)
                writer.writeLengthDelimited(encode(message))
            }
            return
        }
        writer.writeTag(number, type.wireType)
        writeScalar(value, of: type, to: &writer)
    }

    /// Writes one scalar or enum value without its tag.
    private func writeScalar(_ value: DynamicValue, of type: FieldType, to writer: inout WireWriter) {
        switch (type, value) {
        case (.double, .double(let number)):
            writer.writeFixed64(number.bitPattern)
        case (.float, .float(let number)):
            writer.writeFixed32(number.bitPattern)
        case (.int64, .int(let number)), (.int32, .int(let number)):
            writer.writeVarint(UInt64(bitPattern: number))
        case (.uint64, .uint(let number)), (.uint32, .uint(let number)):
            writer.writeVarint(number)
        case (.sint32, .int(let number)), (.sint64, .int(let number)):
            writer.writeVarint(UInt64(bitPattern: (number << 1) ^ (number >> 63)))
        case (.fixed32, .uint(let number)):
            writer.writeFixed32(UInt32(truncatingIfNeeded: number))
        case (.fixed64, .uint(let number)):
            writer.writeFixed64(number)
        case (.sfixed32, .int(let number)):
            writer.writeFixed32(UInt32(bitPattern: Int32(truncatingIfNeeded: number)))
        case (.sfixed64, .int(let number)):
            writer.writeFixed64(UInt64(bitPattern: number))
        case (.bool, .bool(let flag)):
            writer.writeVarint(flag ? 1 : 0)
        case (.string, .string(let text)):
            writer.writeLengthDelimited(text.utf8)
        case (.bytes, .bytes(let bytes)):
            writer.writeLengthDelimited(bytes)
        case (.enumeration, .enumeration(let number)):
            writer.writeVarint(UInt64(bitPattern: Int64(number)))
        default:
            // The JSON reader makes values of the field's own type; nothing else reaches here.
            assertionFailure("value \(value) does not fit type \(type.name)")
        }
    }
}
