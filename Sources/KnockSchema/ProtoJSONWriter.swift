/// Turns a ``DynamicMessage`` into its proto3 JSON form, as a ``JSONValue``.
///
/// Fields come in field-number order, under their JSON names (or proto names, if asked);
/// fields without presence that hold their default, and empty lists and maps, are left out;
/// map entries come in key order. 64-bit integers are strings, floating-point specials are
/// `"NaN"`, `"Infinity"` and `"-Infinity"`, bytes are base64, enums are value names (numbers
/// for values the schema does not name).
struct ProtoJSONWriter {
    /// Where enum types and the types inside `Any` are looked up.
    let pool: SchemaPool
    /// Whether members are named by proto field name rather than JSON name.
    let useProtoFieldNames: Bool

    /// The JSON form of a message.
    /// - Parameter depth: How deeply the message is nested, to bound `Any` payloads.
    func json(_ message: DynamicMessage, depth: Int) throws -> JSONValue {
        if let wellKnown = message.schema.wellKnown {
            return try json(wellKnown, message, depth: depth)
        }
        return .object(try members(of: message, depth: depth))
    }

    /// The members of a message's JSON object.
    func members(of message: DynamicMessage, depth: Int) throws -> [JSONMember] {
        var members: [JSONMember] = []
        for field in message.schema.fields {
            guard let contents = message[field.number] else { continue }
            let key = useProtoFieldNames ? field.name : field.jsonName
            try within(.field(field.name)) {
                switch contents {
                case .single(let value):
                    if !field.hasPresence, value.isDefault { return }
                    members.append(JSONMember(key, try json(value, of: field.type, depth: depth)))
                case .list(let values):
                    guard !values.isEmpty else { return }
                    var elements: [JSONValue] = []
                    elements.reserveCapacity(values.count)
                    for (index, value) in values.enumerated() {
                        elements.append(try within(.index(index)) { try json(value, of: field.type, depth: depth) })
                    }
                    members.append(JSONMember(key, .array(elements)))
                case .map(let entries):
                    guard case .map(_, let valueType) = field.cardinality, !entries.isEmpty else { return }
                    var object: [JSONMember] = []
                    object.reserveCapacity(entries.count)
                    for (mapKey, value) in entries.sorted(by: { $0.key < $1.key }) {
                        let jsonKey = mapKey.jsonKey
                        object.append(JSONMember(jsonKey, try within(.key(jsonKey)) { try json(value, of: valueType, depth: depth) }))
                    }
                    members.append(JSONMember(key, .object(object)))
                }
            }
        }
        return members
    }

    /// The JSON form of one value of a field.
    func json(_ value: DynamicValue, of type: FieldType, depth: Int) throws -> JSONValue {
        switch value {
        case .message(let message):
            return try json(message, depth: depth + 1)
        case .enumeration(let number):
            guard case .enumeration(let enumName) = type else { return .number(String(number)) }
            let schema = try pool.enumeration(named: enumName)
            if schema.isNullValue { return .null }
            if let name = schema.nameByNumber[number] { return .string(name) }
            return .number(String(number))
        case .int(let number):
            return type.isJSONString64 ? .string(String(number)) : .number(String(number))
        case .uint(let number):
            return type.isJSONString64 ? .string(String(number)) : .number(String(number))
        case .double(let number):
            if let special = Self.special(number) { return .string(special) }
            return .number(JSONNumber.format(number))
        case .float(let number):
            if let special = Self.special(Double(number)) { return .string(special) }
            return .number(JSONNumber.format(number))
        case .bool(let flag):
            return .bool(flag)
        case .string(let text):
            return .string(text)
        case .bytes(let bytes):
            return .string(Base64.encode(bytes))
        }
    }

    /// `NaN`, `Infinity` or `-Infinity`, for the values JSON numbers cannot hold.
    static func special(_ number: Double) -> String? {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
        return nil
    }
}
