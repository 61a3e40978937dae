extension ProtoJSONWriter {
    /// The special JSON forms of the well-known types.
    func json(_ wellKnown: WellKnownType, _ message: DynamicMessage, depth: Int) throws -> JSONValue {
        switch wellKnown {
        case .timestamp:
            return try Self.timeString(message, format: TimestampFormat.format) { seconds, nanos in
                "a google.protobuf.Timestamp of \(seconds) s and \(nanos) ns is outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z"
            }
        case .duration:
            return try Self.timeString(message, format: DurationFormat.format) { seconds, nanos in
                "a google.protobuf.Duration of \(seconds) s and \(nanos) ns is out of range or has mixed signs"
            }
        case .fieldMask:
            let paths = try message.list(1).map { value -> String in
                guard case .string(let path) = value, let jsonPath = FieldMaskPath.json(fromProto: path) else {
                    throw SchemaError(.invalidValue, "a google.protobuf.FieldMask path cannot be written in JSON")
                }
                return jsonPath
            }
            return .string(paths.joined(separator: ","))
        case .structure:
            guard case .map(let entries)? = message[1] else { return .object([]) }
            var members: [JSONMember] = []
            for (key, value) in entries.sorted(by: { $0.key < $1.key }) {
                let jsonKey = key.jsonKey
                members.append(JSONMember(jsonKey, try within(.key(jsonKey)) { try json(value, of: .message("google.protobuf.Value"), depth: depth) }))
            }
            return .object(members)
        case .value:
            return try valueJSON(message, depth: depth)
        case .listValue:
            var elements: [JSONValue] = []
            for (index, value) in message.list(1).enumerated() {
                elements.append(try within(.index(index)) { try json(value, of: .message("google.protobuf.Value"), depth: depth) })
            }
            return .array(elements)
        case .wrapper(let type):
            let value = message.single(1) ?? DynamicValue.defaultValue(of: type) ?? .int(0)
            return try json(value, of: type, depth: depth)
        case .any:
            return try anyJSON(message, depth: depth)
        }
    }

    private func valueJSON(_ message: DynamicMessage, depth: Int) throws -> JSONValue {
        if message.single(1) != nil {
            return .null
        }
        if case .double(let number)? = message.single(2) {
            guard number.isFinite else {
                throw SchemaError(.invalidValue, "a google.protobuf.Value cannot hold \(Self.special(number) ?? "") in JSON")
            }
            return .number(JSONNumber.format(number))
        }
        if case .string(let text)? = message.single(3) {
            return .string(text)
        }
        if case .bool(let flag)? = message.single(4) {
            return .bool(flag)
        }
        if case .message(let structure)? = message.single(5) {
            return try json(structure, depth: depth + 1)
        }
        if case .message(let list)? = message.single(6) {
            return try json(list, depth: depth + 1)
        }
        throw SchemaError(.invalidValue, "a google.protobuf.Value has no kind set, which JSON cannot show")
    }

    private func anyJSON(_ message: DynamicMessage, depth: Int) throws -> JSONValue {
        var typeURL = ""
        if case .string(let url)? = message.single(1) { typeURL = url }
        var payload: [UInt8] = []
        if case .bytes(let bytes)? = message.single(2) { payload = bytes }
        if typeURL.isEmpty {
            guard payload.isEmpty else {
                throw SchemaError(.invalidValue, "a google.protobuf.Any has a value but no type URL")
            }
            return .object([])
        }
        let schema = try pool.message(named: AnyTypeURL.typeName(typeURL))
        let contents = try BinaryDecoder(pool: pool).decode(payload, as: schema, depth: depth + 1)
        if schema.wellKnown != nil {
            return .object([JSONMember("@type", .string(typeURL)), JSONMember("value", try json(contents, depth: depth + 1))])
        }
        return .object([JSONMember("@type", .string(typeURL))] + (try members(of: contents, depth: depth + 1)))
    }

    /// The string form of a `Timestamp` or `Duration`.
    private static func timeString(
        _ message: DynamicMessage,
        format: (Int64, Int32) -> String?,
        invalid: (Int64, Int32) -> String
    ) throws -> JSONValue {
        var seconds: Int64 = 0
        var nanos: Int32 = 0
        if case .int(let value)? = message.single(1) { seconds = value }
        if case .int(let value)? = message.single(2) { nanos = Int32(truncatingIfNeeded: value) }
        guard let text = format(seconds, nanos) else {
            throw SchemaError(.invalidValue, invalid(seconds, nanos))
        }
        return .string(text)
    }
}
