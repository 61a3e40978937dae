/// An enum type: its values by name and by number.
struct EnumSchema: Sendable {
    /// The fully-qualified name, e.g. `knock.schema.test.Colour`.
    let fullName: String
    /// The value names by number; with aliases, the first name declared.
    let nameByNumber: [Int32: String]
    /// The value numbers by name.
    let numberByName: [String: Int32]

    /// Whether this is `google.protobuf.NullValue`, written as JSON `null`.
    var isNullValue: Bool {
        fullName == "google.protobuf.NullValue"
    }
}
