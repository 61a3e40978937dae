/// Decodes the protobuf binary format into a ``DynamicMessage`` by its schema.
///
/// Follows the binary format's rules: fields may come in any order; a later value of a singular
/// scalar replaces an earlier one; a singular message seen twice is merged; setting a oneof
/// member clears the others; repeated scalars are read packed or unpacked; map entries with a
/// missing key or value take the default; unknown fields are skipped. Nesting is limited to
/// ``maximumDepth`` levels, so hostile input cannot exhaust the stack.
struct BinaryDecoder {
    /// The deepest nesting of messages (and groups) accepted.
    static let maximumDepth = 100

    /// Where message types are looked up.
    let pool: SchemaPool

    /// Decodes a whole message.
    /// - Parameters:
    ///   - bytes: The message in the binary format.
    ///   - schema: Its type.
    ///   - depth: How deeply the message is nested already (an `Any`'s payload continues the
    ///     count of the message that holds it).
    func decode(_ bytes: [UInt8], as schema: MessageSchema, depth: Int = 0) throws -> DynamicMessage {
        var reader = WireReader(bytes)
        var message = DynamicMessage(schema: schema)
        try decodeFields(from: &reader, into: &message, depth: depth, group: nil)
        return message
    }

    /// Reads fields until the reader's end, or, for a group, until its end tag.
    private func decodeFields(
        from reader: inout WireReader,
        into message: inout DynamicMessage,
        depth: Int,
        group: Int32?
    ) throws {
        guard depth <= Self.maximumDepth else {
            throw WireReader.malformed("messages are nested more than \(Self.maximumDepth) levels deep")
        }
        while !reader.isAtEnd {
            let (number, wireType) = try reader.readTag()
            if wireType == .endGroup, let group {
                guard number == group else {
                    throw WireReader.malformed("group \(group) is closed by an end-group tag for field \(number)")
                }
                return
            }
            guard let field = message.schema.field(number: number) else {
                try reader.skipField(wireType, number: number, depth: depth)
                continue
            }
            try within(.field(field.name)) {
                try decodeField(field, wireType: wireType, from: &reader, into: &message, depth: depth)
            }
        }
        if let group {
            throw WireReader.malformed("the input ends inside group \(group)")
        }
    }

    private func decodeField(
        _ field: FieldSchema,
        wireType: WireType,
        from reader: inout WireReader,
        into message: inout DynamicMessage,
        depth: Int
    ) throws {
        switch field.cardinality {
        case .singular:
            if case .message(let typeName) = field.type {
                let existing = try message.takeMessage(field) ?? DynamicMessage(schema: pool.message(named: typeName))
                let merged = try decodeMessage(field, wireType: wireType, from: &reader, into: existing, depth: depth)
                message.set(field, to: .message(merged))
            } else {
                try Self.expect(wireType, for: field.type)
                message.set(field, to: try Self.readScalar(field.type, from: &reader))
            }
        case .repeated:
            if field.type.isPackable, wireType == .lengthDelimited {
                var packed = try reader.readLengthDelimited()
                while !packed.isAtEnd {
                    try within(.index(message.count(field.number))) {
                        message.append(field, try Self.readScalar(field.type, from: &packed))
                    }
                }
                return
            }
            try within(.index(message.count(field.number))) {
                if case .message(let typeName) = field.type {
                    let empty = DynamicMessage(schema: try pool.message(named: typeName))
                    let element = try decodeMessage(field, wireType: wireType, from: &reader, into: empty, depth: depth)
                    message.append(field, .message(element))
                } else {
                    try Self.expect(wireType, for: field.type)
                    message.append(field, try Self.readScalar(field.type, from: &reader))
                }
            }
        case .map(let keyType, let valueType):
            guard wireType == .lengthDelimited else {
                throw Self.wireTypeMismatch(wireType, expected: .lengthDelimited, typeName: "map entry")
            }
            var entry = try reader.readLengthDelimited()
            let (key, value) = try decodeMapEntry(from: &entry, keyType: keyType, valueType: valueType, depth: depth)
            message.insert(field, key: key, value: value)
        }
    }

    private func decodeMapEntry(
        from entry: inout WireReader,
        keyType: FieldType,
        valueType: FieldType,
        depth: Int
    ) throws -> (MapKey, DynamicValue) {
        var key: DynamicValue?
        var value: DynamicValue?
        while !entry.isAtEnd {
            let (number, wireType) = try entry.readTag()
            switch number {
            case 1:
                try Self.expect(wireType, for: keyType)
                key = try Self.readScalar(keyType, from: &entry)
            case 2:
                if case .message(let typeName) = valueType {
                    guard wireType == .lengthDelimited else {
                        throw Self.wireTypeMismatch(wireType, expected: .lengthDelimited, typeName: typeName)
                    }
                    var existing = DynamicMessage(schema: try pool.message(named: typeName))
                    if case .message(let earlier) = value {
                        existing = earlier
                    }
                    var payload = try entry.readLengthDelimited()
                    try decodeFields(from: &payload, into: &existing, depth: depth + 1, group: nil)
                    value = .message(existing)
                } else {
                    try Self.expect(wireType, for: valueType)
                    value = try Self.readScalar(valueType, from: &entry)
                }
            default:
                try entry.skipField(wireType, number: number, depth: depth)
            }
        }
        // A missing key or value takes its default; the key's type is always a scalar.
        let mapKey = MapKey(key ?? DynamicValue.defaultValue(of: keyType) ?? .string("")) ?? .string("")
        if let value {
            return (mapKey, value)
        }
        if case .message(let typeName) = valueType {
            return (mapKey, .message(DynamicMessage(schema: try pool.message(named: typeName))))
        }
        return (mapKey, DynamicValue.defaultValue(of: valueType) ?? .int(0))
    }

    /// Reads a message-typed value, length-delimited or as a group, merging into `message`.
    private func decodeMessage(
        _ field: FieldSchema,
        wireType: WireType,
        from reader: inout WireReader,
        into message: DynamicMessage,
        depth: Int
    ) throws -> DynamicMessage {
        var message = message
        if field.isDelimited {
            guard wireType == .startGroup else {
                throw Self.wireTypeMismatch(wireType, expected: .startGroup, typeName: field.type.name)
            }
            try decodeFields(from: &reader, into: &message, depth: depth + 1, group: field.number)
        } else {
            guard wireType == .lengthDelimited else {
                throw Self.wireTypeMismatch(wireType, expected: .lengthDelimited, typeName: field.type.name)
            }
            var payload = try reader.readLengthDelimited()
            try decodeFields(from: &payload, into: &message, depth: depth + 1, group: nil)
        }
        return message
    }

    private static func expect(_ wireType: WireType, for type: FieldType) throws {
        guard wireType == type.wireType else {
            throw wireTypeMismatch(wireType, expected: type.wireType, typeName: type.name)
        }
    }

    private static func wireTypeMismatch(_ wireType: WireType, expected: WireType, typeName: String) -> SchemaError {
        WireReader.malformed(
            "wire type \(wireType.rawValue) (\(wireType.name)) does not fit a field of type \(typeName), "
                + "written with wire type \(expected.rawValue) (\(expected.name))"
        )
    }

    /// Reads one scalar or enum value, with the wire type already checked (or packed).
    private static func readScalar(_ type: FieldType, from reader: inout WireReader) throws -> DynamicValue {
        switch type {
        case .double: return .double(Double(bitPattern: try reader.readFixed64()))
        case .float: return .float(Float(bitPattern: try reader.readFixed32()))
        case .int64: return .int(Int64(bitPattern: try reader.readVarint()))
        case .uint64: return .uint(try reader.readVarint())
        case .int32: return .int(Int64(Int32(truncatingIfNeeded: try reader.readVarint())))
        case .uint32: return .uint(UInt64(UInt32(truncatingIfNeeded: try reader.readVarint())))
        case .sint32:
            let raw = UInt32(truncatingIfNeeded: try reader.readVarint())
            return .int(Int64(Int32(bitPattern: raw >> 1) ^ -Int32(bitPattern: raw & 1)))
        case .sint64:
            let raw = try reader.readVarint()
            return .int(Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1))
        case .fixed32: return .uint(UInt64(try reader.readFixed32()))
        case .fixed64: return .uint(try reader.readFixed64())
        case .sfixed32: return .int(Int64(Int32(bitPattern: try reader.readFixed32())))
        case .sfixed64: return .int(Int64(bitPattern: try reader.readFixed64()))
        case .bool: return .bool(try reader.readVarint() != 0)
        case .string: return .string(try reader.readString())
        case .bytes: return .bytes(try reader.readBytes())
        case .enumeration: return .enumeration(Int32(truncatingIfNeeded: try reader.readVarint()))
        case .message(let name):
            throw WireReader.malformed("message type \(name) read as a scalar")
        }
    }
}
