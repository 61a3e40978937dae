/// A parsed JSON value. Numbers keep their text, so that 64-bit integers are converted exactly
/// and `1.0` can still be told to be the integer 1; objects keep their members in order,
/// duplicates included, so that the reader can report them.
enum JSONValue {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// What kind of value it is, for "expected …, found …" messages.
    var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }
}
