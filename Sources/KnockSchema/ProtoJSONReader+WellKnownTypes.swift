extension ProtoJSONReader {
    /// Reads the special JSON forms of the well-known types.
    func message(_ wellKnown: WellKnownType, from json: JSONValue, schema: MessageSchema) throws -> DynamicMessage {
        var message = DynamicMessage(schema: schema)
        switch wellKnown {
        case .timestamp:
            try setSecondsAndNanos(
                &message,
                from: json,
                expected: "a timestamp string like \"2024-05-01T09:30:00Z\"",
                parse: TimestampFormat.parse,
                invalid: "is not an RFC 3339 timestamp from year 1 to 9999, like \"2024-05-01T09:30:00Z\""
            )
        case .duration:
            try setSecondsAndNanos(
                &message,
                from: json,
                expected: "a duration string like \"1.5s\"",
                parse: DurationFormat.parse,
                invalid: "is not a duration of at most 315576000000 seconds, like \"1.5s\""
            )
        case .fieldMask:
            guard case .string(let text) = json else {
                throw Self.mismatch("a field mask string like \"visit.residentId,notes\"", found: json)
            }
            let parts = text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false)
            let paths = try parts.map { path -> DynamicValue in
                guard let protoPath = FieldMaskPath.proto(fromJSON: String(path)) else {
                    throw SchemaError(.invalidValue, "field mask path \(JSONText.quoted(String(path))) may not contain '_' in JSON")
                }
                return DynamicValue.string(protoPath)
            }
            try set(&message, 1, to: .list(paths))
        case .structure:
            guard case .object = json else { throw Self.mismatch("an object", found: json) }
            try setStructFields(&message, from: json)
        case .value:
            try setValueKind(&message, from: json)
        case .listValue:
            guard case .array(let elements) = json else { throw Self.mismatch("a list", found: json) }
            let valueSchema = try pool.message(named: "google.protobuf.Value")
            var values: [DynamicValue] = []
            for (index, element) in elements.enumerated() {
                values.append(try within(.index(index)) { .message(try self.message(from: element, schema: valueSchema)) })
            }
            try set(&message, 1, to: .list(values))
        case .wrapper(let type):
            try set(&message, 1, to: value(from: json, type: type))
        case .any:
            try setAnyFields(&message, from: json)
        }
        return message
    }

    /// Sets a `Timestamp` or `Duration` from its string form.
    private func setSecondsAndNanos(
        _ message: inout DynamicMessage,
        from json: JSONValue,
        expected: String,
        parse: (String) -> (seconds: Int64, nanos: Int32)?,
        invalid: String
    ) throws {
        guard case .string(let text) = json else {
            throw Self.mismatch(expected, found: json)
        }
        guard let (seconds, nanos) = parse(text) else {
            throw SchemaError(.invalidValue, "\(JSONText.quoted(Self.excerpt(text))) \(invalid)")
        }
        try set(&message, 1, to: .int(seconds))
        try set(&message, 2, to: .int(Int64(nanos)))
    }

    private func setStructFields(_ message: inout DynamicMessage, from json: JSONValue) throws {
        guard case .object(let members) = json else { return }
        let valueSchema = try pool.message(named: "google.protobuf.Value")
        var entries: [MapKey: DynamicValue] = [:]
        for member in members {
            let (key, element) = (member.key, member.value)
            try within(.key(key)) {
                guard entries[.string(key)] == nil else {
                    throw SchemaError(.invalidField, "the key is given twice")
                }
                entries[.string(key)] = .message(try self.message(from: element, schema: valueSchema))
            }
        }
        try set(&message, 1, to: .map(entries))
    }

    private func setValueKind(_ message: inout DynamicMessage, from json: JSONValue) throws {
        switch json {
        case .null:
            try set(&message, 1, to: .enumeration(0))
        case .number(let text):
            guard let number = JSONNumber.double(text), number.isFinite else {
                throw SchemaError(.invalidValue, "\(Self.excerpt(text)) is out of range for a google.protobuf.Value number")
            }
            try set(&message, 2, to: .double(number))
        case .string(let text):
            try set(&message, 3, to: .string(text))
        case .bool(let flag):
            try set(&message, 4, to: .bool(flag))
        case .object:
            try set(&message, 5, to: .message(self.message(from: json, schema: pool.message(named: "google.protobuf.Struct"))))
        case .array:
            try set(&message, 6, to: .message(self.message(from: json, schema: pool.message(named: "google.protobuf.ListValue"))))
        }
    }

    /// `{"@type": "type.googleapis.com/pkg.Message", …fields}`, or for a well-known type with a
    /// special form, `{"@type": …, "value": <special form>}`.
    private func setAnyFields(_ message: inout DynamicMessage, from json: JSONValue) throws {
        guard case .object(let members) = json else {
            throw Self.mismatch("an object with \"@type\"", found: json)
        }
        if members.isEmpty { return }
        let typeMembers = members.filter { $0.key == "@type" }
        guard typeMembers.count == 1, case .string(let typeURL) = typeMembers[0].value else {
            throw SchemaError(
                .invalidField,
                typeMembers.isEmpty
                    ? "a google.protobuf.Any needs \"@type\", e.g. \"type.googleapis.com/knock.wire.v1.ErrorInfo\""
                    : "\"@type\" must be given once, as a string",
                fieldPath: "@type"
            )
        }
        let schema: MessageSchema
        do {
            schema = try pool.message(named: AnyTypeURL.typeName(typeURL))
        } catch let error as SchemaError {
            throw error.prefixed(with: .field("@type"))
        }
        let fields = members.filter { $0.key != "@type" }
        let contents: DynamicMessage
        if schema.wellKnown != nil {
            let values = fields.filter { $0.key == "value" }
            if !ignoreUnknownFields, let other = fields.first(where: { $0.key != "value" }) {
                throw SchemaError(
                    .invalidField,
                    "an Any holding \(schema.fullName) has only \"@type\" and \"value\"",
                    fieldPath: other.key
                )
            }
            guard values.count == 1 else {
                throw SchemaError(
                    .invalidField,
                    "an Any holding \(schema.fullName) needs \"value\" once, with the type's JSON form",
                    fieldPath: "value"
                )
            }
            contents = try within(.field("value")) { try self.message(from: values[0].value, schema: schema) }
        } else {
            contents = try self.message(members: fields, schema: schema)
        }
        try set(&message, 1, to: .string(typeURL))
        try set(&message, 2, to: .bytes(BinaryEncoder().encode(contents)))
    }

    /// Sets a well-known type's field by number.
    private func set(_ message: inout DynamicMessage, _ number: Int32, to value: DynamicValue) throws {
        guard let field = message.schema.field(number: number) else {
            throw SchemaError(.invalidDescriptor, "\(message.schema.fullName) in the schema lacks field \(number)")
        }
        message.set(field, to: value)
    }

    private func set(_ message: inout DynamicMessage, _ number: Int32, to value: DynamicMessage.FieldValue) throws {
        guard let field = message.schema.field(number: number) else {
            throw SchemaError(.invalidDescriptor, "\(message.schema.fullName) in the schema lacks field \(number)")
        }
        message.set(field, to: value)
    }
}
