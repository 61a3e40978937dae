/// A message of a type known only from its schema: the values of the fields that are set.
///
/// Both directions of ``DynamicCodec`` go through it: binary → `DynamicMessage` → JSON and
/// JSON → `DynamicMessage` → binary, so that the binary rules (merging, last value wins) and the
/// JSON rules (special forms of the well-known types) each live in one place.
struct DynamicMessage {
    /// A field's contents.
    enum FieldValue {
        case single(DynamicValue)
        case list([DynamicValue])
        case map([MapKey: DynamicValue])
    }

    /// The message's type.
    let schema: MessageSchema
    /// The fields that are set, by number. A singular field without presence may hold its
    /// default value here; the encoders leave such values out.
    private(set) var values: [Int32: FieldValue] = [:]

    /// Creates an empty message.
    init(schema: MessageSchema) {
        self.schema = schema
    }

    /// The value of a field, if set.
    subscript(number: Int32) -> FieldValue? {
        values[number]
    }

    /// The single value of a field, if set.
    func single(_ number: Int32) -> DynamicValue? {
        if case .single(let value) = values[number] { return value }
        return nil
    }

    /// The list value of a field; empty when not set.
    func list(_ number: Int32) -> [DynamicValue] {
        if case .list(let values) = values[number] { return values }
        return []
    }

    /// How many values a repeated field holds.
    func count(_ number: Int32) -> Int {
        if case .list(let values) = values[number] { return values.count }
        return 0
    }

    /// Sets a singular field, clearing the other members of its oneof.
    mutating func set(_ field: FieldSchema, to value: DynamicValue) {
        clearOneofSiblings(of: field)
        values[field.number] = .single(value)
    }

    /// Sets a field to a whole list or map.
    mutating func set(_ field: FieldSchema, to value: FieldValue) {
        values[field.number] = value
    }

    /// Takes a singular message field's current value out (for merging into it), leaving the
    /// field unset.
    mutating func takeMessage(_ field: FieldSchema) -> DynamicMessage? {
        guard case .single(.message(let message)) = values[field.number] else { return nil }
        values[field.number] = nil
        return message
    }

    /// Appends to a repeated field.
    mutating func append(_ field: FieldSchema, _ value: DynamicValue) {
        if case .list(var list) = values.removeValue(forKey: field.number) {
            list.append(value)
            values[field.number] = .list(list)
        } else {
            values[field.number] = .list([value])
        }
    }

    /// Puts an entry into a map field; a later entry with the same key replaces an earlier one.
    mutating func insert(_ field: FieldSchema, key: MapKey, value: DynamicValue) {
        if case .map(var map) = values.removeValue(forKey: field.number) {
            map[key] = value
            values[field.number] = .map(map)
        } else {
            values[field.number] = .map([key: value])
        }
    }

    private mutating func clearOneofSiblings(of field: FieldSchema) {
        guard let oneof = field.oneofIndex else { return }
        for sibling in schema.fields where sibling.oneofIndex == oneof && sibling.number != field.number {
            values[sibling.number] = nil
        }
    }
}
