/// One field of a message, as the codec needs it: names, number, type and how it repeats.
struct FieldSchema: Sendable {
    /// How many values the field holds and how they are written.
    enum Cardinality: Sendable {
        /// One value. With presence (`optional`, message types, oneof members, proto2), a value
        /// equal to the default is still written; without it, a default value is omitted.
        case singular(hasPresence: Bool)
        /// A list; `packed` says how a list of scalars is written (read either way).
        case repeated(packed: Bool)
        /// A map; entries are messages with the key as field 1 and the value as field 2.
        case map(key: FieldType, value: FieldType)
    }

    /// The name in the .proto file, e.g. `resident_id`.
    let name: String
    /// The JSON name, e.g. `residentId` (the descriptor's `json_name`).
    let jsonName: String
    /// The field number.
    let number: Int32
    /// The type of each value (for a map, the type of the entry's value).
    let type: FieldType
    /// How many values the field holds.
    let cardinality: Cardinality
    /// The index of the (real, not synthetic) oneof the field belongs to.
    let oneofIndex: Int?
    /// Whether a message-typed field is written as a group (start-group and end-group tags
    /// around the fields) rather than length-delimited: proto2 `group` fields and edition
    /// fields with delimited message encoding.
    let isDelimited: Bool

    /// Whether a singular field keeps a value equal to its default.
    var hasPresence: Bool {
        if case .singular(let presence) = cardinality { return presence }
        return false
    }

    /// Whether the field is a list (not a map).
    var isRepeated: Bool {
        if case .repeated = cardinality { return true }
        return false
    }
}
