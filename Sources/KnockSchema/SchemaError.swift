/// Why a schema could not be built, or a message could not be converted between JSON and the
/// protobuf binary format.
///
/// The ``description`` is meant to be shown to a person as it is: it names the field path
/// (`visit.resident_id: expected a string, found a number`), so that a user of the `knock` CLI
/// can see which part of the input is wrong.
public struct SchemaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem it is, as a stable identifier.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The identifier, e.g. `unknown_type`.
        public var rawValue: String

        /// Creates a code from its identifier.
        /// - Parameter rawValue: The identifier.
        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// A message or enum type name is not in the pool (also an `Any` whose `@type` is not).
        public static let unknownType = Code(rawValue: "unknown_type")
        /// The descriptor set does not parse, or contradicts itself (a type defined twice, a
        /// field number out of range or used twice, a map entry without key or value).
        public static let invalidDescriptor = Code(rawValue: "invalid_descriptor")
        /// The text is not JSON at all: a syntax error, or nesting deeper than the limit.
        public static let invalidJSON = Code(rawValue: "invalid_json")
        /// A JSON object names a field the message does not have, names one field twice, or sets
        /// two members of one oneof.
        public static let invalidField = Code(rawValue: "invalid_field")
        /// A JSON value has the wrong kind for its field: a number where a string belongs, an
        /// object where a list belongs.
        public static let typeMismatch = Code(rawValue: "type_mismatch")
        /// A JSON value has the right kind but cannot be used: out of range for its type, not an
        /// integer, bad base64, an unknown enum name, a malformed timestamp or duration.
        public static let invalidValue = Code(rawValue: "invalid_value")
        /// The protobuf binary input does not parse: a truncated varint, a length beyond the end,
        /// a wire type that does not fit the field, invalid UTF-8 in a string, nesting too deep.
        public static let malformedBinary = Code(rawValue: "malformed_binary")

        /// The identifier, e.g. `unknown_type`.
        public var description: String { rawValue }
    }

    /// What kind of problem it is.
    public var code: Code
    /// A sentence saying what is wrong, without the field path.
    public var message: String
    /// Where in the message the problem is, with proto field names, list indices and map keys:
    /// `visit.requests[2]`, `labels["ward"]`. Empty when the problem is not about one field.
    public var fieldPath: String

    /// Creates an error.
    /// - Parameters:
    ///   - code: What kind of problem it is.
    ///   - message: A sentence saying what is wrong.
    ///   - fieldPath: Where in the message it is; empty for the message as a whole.
    public init(_ code: Code, _ message: String, fieldPath: String = "") {
        self.code = code
        self.message = message
        self.fieldPath = fieldPath
    }

    /// `fieldPath: message`, or just the message when there is no field path.
    public var description: String {
        fieldPath.isEmpty ? message : "\(fieldPath): \(message)"
    }
}
