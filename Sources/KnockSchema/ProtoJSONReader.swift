/// Reads the proto3 JSON form of a message, as a ``JSONValue``, into a ``DynamicMessage``.
///
/// Accepts each field under its JSON name or its proto name; integers as numbers or strings
/// (`1e3` and `"5.0"` too, when they are whole), floating-point numbers also as `"NaN"`,
/// `"Infinity"` and `"-Infinity"`, enums by name or number, bytes in standard or URL-safe
/// base64, `null` for "not set". Rejects unknown fields (unless asked to skip them), a field
/// given twice, two members of one oneof, and values of the wrong kind or out of range, each with
/// the path of the field.
struct ProtoJSONReader {
    /// Where message and enum types are looked up.
    let pool: SchemaPool
    /// Whether members that name no field are skipped rather than rejected.
    let ignoreUnknownFields: Bool

    /// Reads a message.
    func message(from json: JSONValue, schema: MessageSchema) throws -> DynamicMessage {
        if let wellKnown = schema.wellKnown {
            return try message(wellKnown, from: json, schema: schema)
        }
        guard case .object(let members) = json else {
            throw Self.mismatch("an object for \(schema.fullName)", found: json)
        }
        return try message(members: members, schema: schema)
    }

    /// Reads the members of a message's JSON object (for `Any`, all but `@type`).
    func message(members: [JSONMember], schema: MessageSchema) throws -> DynamicMessage {
        var message = DynamicMessage(schema: schema)
        var seen: [Int32: String] = [:]
        var oneofMembers: [Int: String] = [:]
        for member in members {
            let (key, value) = (member.key, member.value)
            guard let field = schema.field(jsonKey: key) else {
                if ignoreUnknownFields { continue }
                throw SchemaError(.invalidField, Self.unknownFieldMessage(key, in: schema), fieldPath: key)
            }
            if let earlier = seen[field.number] {
                throw SchemaError(
                    .invalidField,
                    earlier == key ? "the field is given twice" : "the field is given twice, as '\(earlier)' and as '\(key)'",
                    fieldPath: field.name
                )
            }
            seen[field.number] = key
            if case .null = value, !acceptsNull(field) {
                continue
            }
            if let oneof = field.oneofIndex {
                if let other = oneofMembers[oneof] {
                    throw SchemaError(
                        .invalidField,
                        "'\(other)' and '\(field.name)' are both set, but only one member of oneof '\(schema.oneofNames[oneof])' may be",
                        fieldPath: field.name
                    )
                }
                oneofMembers[oneof] = field.name
            }
            try within(.field(field.name)) {
                try read(value, into: &message, field: field)
            }
        }
        return message
    }

    /// Whether `null` is a value of the field rather than "not set": a singular
    /// `google.protobuf.Value` (JSON null) or `google.protobuf.NullValue`.
    private func acceptsNull(_ field: FieldSchema) -> Bool {
        guard case .singular = field.cardinality else { return false }
        return Self.isNullable(field.type)
    }

    private static func isNullable(_ type: FieldType) -> Bool {
        type == .message("google.protobuf.Value") || type == .enumeration("google.protobuf.NullValue")
    }

    private func read(_ json: JSONValue, into message: inout DynamicMessage, field: FieldSchema) throws {
        switch field.cardinality {
        case .singular:
            message.set(field, to: try value(from: json, type: field.type))
        case .repeated:
            guard case .array(let elements) = json else {
                throw Self.mismatch("a list", found: json)
            }
            var values: [DynamicValue] = []
            values.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                try within(.index(index)) {
                    if case .null = element, !Self.isNullable(field.type) {
                        throw SchemaError(.typeMismatch, "a list may not hold null")
                    }
                    values.append(try value(from: element, type: field.type))
                }
            }
            message.set(field, to: .list(values))
        case .map(let keyType, let valueType):
            guard case .object(let members) = json else {
                throw Self.mismatch("an object for a map", found: json)
            }
            var entries: [MapKey: DynamicValue] = [:]
            entries.reserveCapacity(members.count)
            for member in members {
                let (key, element) = (member.key, member.value)
                try within(.key(key)) {
                    let mapKey = try Self.mapKey(key, type: keyType)
                    guard entries[mapKey] == nil else {
                        throw SchemaError(.invalidField, "the map key is given twice")
                    }
                    if case .null = element, !Self.isNullable(valueType) {
                        throw SchemaError(.typeMismatch, "a map value may not be null")
                    }
                    entries[mapKey] = try value(from: element, type: valueType)
                }
            }
            message.set(field, to: .map(entries))
        }
    }

    /// Reads one value of a type.
    func value(from json: JSONValue, type: FieldType) throws -> DynamicValue {
        switch type {
        case .message(let name):
            return .message(try message(from: json, schema: pool.message(named: name)))
        case .enumeration(let name):
            return .enumeration(try enumNumber(from: json, schema: pool.enumeration(named: name)))
        case .string:
            guard case .string(let text) = json else { throw Self.mismatch("a string", found: json) }
            return .string(text)
        case .bytes:
            guard case .string(let text) = json else { throw Self.mismatch("a base64 string", found: json) }
            guard let bytes = Base64.decode(text) else {
                throw SchemaError(.invalidValue, "\(JSONText.quoted(Self.excerpt(text))) is not base64")
            }
            return .bytes(bytes)
        case .bool:
            guard case .bool(let flag) = json else { throw Self.mismatch("true or false", found: json) }
            return .bool(flag)
        case .double:
            return .double(try floatingPoint(from: json, typeName: "double"))
        case .float:
            let number = try floatingPoint(from: json, typeName: "float")
            let narrowed = Float(number)
            guard narrowed.isFinite || !number.isFinite else {
                throw SchemaError(.invalidValue, "\(number) is out of range for float")
            }
            return .float(narrowed)
        default:
            let text = try Self.integerText(from: json, type: type)
            do {
                if type.isSignedInteger {
                    return .int(try JSONNumber.signed(text, in: type.signedRange))
                }
                return .uint(try JSONNumber.unsigned(text, maximum: type.unsignedMax))
            } catch {
                throw Self.integerError(error, text: text, type: type)
            }
        }
    }

    private func enumNumber(from json: JSONValue, schema: EnumSchema) throws -> Int32 {
        switch json {
        case .null where schema.isNullValue:
            return 0
        case .string(let name):
            if let number = schema.numberByName[name] {
                return number
            }
            let known = schema.numberByName.sorted { $0.value < $1.value }.map(\.key)
            throw SchemaError(
                .invalidValue,
                "\(JSONText.quoted(Self.excerpt(name))) is not a value of \(schema.fullName); it has "
                    + known.prefix(20).joined(separator: ", ") + (known.count > 20 ? ", …" : "")
            )
        case .number(let text):
            do {
                return Int32(try JSONNumber.signed(text, in: Int64(Int32.min)...Int64(Int32.max)))
            } catch {
                throw Self.integerError(error, text: text, type: .int32)
            }
        default:
            throw Self.mismatch("an enum value name or number", found: json)
        }
    }

    private func floatingPoint(from json: JSONValue, typeName: String) throws -> Double {
        let text: String
        switch json {
        case .number(let number):
            text = number
        case .string(let string):
            switch string {
            case "NaN": return .nan
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            default: text = string
            }
        default:
            throw Self.mismatch("a number", found: json)
        }
        guard let number = JSONNumber.double(text) else {
            throw SchemaError(.invalidValue, "\(JSONText.quoted(Self.excerpt(text))) is not a number")
        }
        guard number.isFinite else {
            throw SchemaError(.invalidValue, "\(Self.excerpt(text)) is out of range for \(typeName)")
        }
        return number
    }

    private static func integerText(from json: JSONValue, type: FieldType) throws -> String {
        switch json {
        case .number(let text): text
        case .string(let text): text
        default: throw mismatch(type.isJSONString64 ? "an integer or a string holding one" : "an integer", found: json)
        }
    }

    private static func integerError(_ failure: JSONNumber.IntegerFailure, text: String, type: FieldType) -> SchemaError {
        let shown = excerpt(text)
        switch failure {
        case .notANumber:
            return SchemaError(.invalidValue, "\(JSONText.quoted(shown)) is not an integer")
        case .notAnInteger:
            return SchemaError(.invalidValue, "\(shown) is not a whole number, as \(type.name) needs")
        case .outOfRange:
            return SchemaError(.invalidValue, "\(shown) is out of range for \(type.name)")
        }
    }

    /// Reads a map key from its JSON member name.
    private static func mapKey(_ key: String, type: FieldType) throws -> MapKey {
        switch type {
        case .string:
            return .string(key)
        case .bool:
            switch key {
            case "true": return .bool(true)
            case "false": return .bool(false)
            default: throw SchemaError(.invalidValue, "a map key of type bool must be \"true\" or \"false\"")
            }
        default:
            do {
                if type.isSignedInteger {
                    return .int(try JSONNumber.signed(key, in: type.signedRange))
                }
                return .uint(try JSONNumber.unsigned(key, maximum: type.unsignedMax))
            } catch {
                throw integerError(error, text: key, type: type)
            }
        }
    }

    static func mismatch(_ expected: String, found json: JSONValue) -> SchemaError {
        SchemaError(.typeMismatch, "expected \(expected), found \(json.kindDescription)")
    }

    /// A user's text, cut short for an error message.
    static func excerpt(_ text: String) -> String {
        text.count <= 64 ? text : String(text.prefix(61)) + "…"
    }

    private static func unknownFieldMessage(_ key: String, in schema: MessageSchema) -> String {
        let names = schema.fields.map(\.jsonName)
        var text = "\(schema.fullName) has no field named \(JSONText.quoted(excerpt(key)))"
        if names.isEmpty {
            text += "; it has no fields"
        } else {
            text += "; its fields are " + names.prefix(30).joined(separator: ", ") + (names.count > 30 ? ", …" : "")
        }
        return text
    }
}
