/// A message type: its fields in number order, with indexes by number and by JSON key.
struct MessageSchema: Sendable {
    /// The fully-qualified name, e.g. `knock.demo.EchoRequest`.
    let fullName: String
    /// The fields, in field-number order.
    let fields: [FieldSchema]
    /// The names of the message's real oneofs (synthetic ones of proto3 `optional` left out),
    /// indexed by ``FieldSchema/oneofIndex``.
    let oneofNames: [String]
    /// The special JSON form, for the well-known types that have one.
    let wellKnown: WellKnownType?

    /// Index into ``fields`` by field number.
    private let indexByNumber: [Int32: Int]
    /// Index into ``fields`` by JSON name and by proto name.
    private let indexByJSONKey: [String: Int]

    /// Creates a message schema.
    /// - Parameters:
    ///   - fullName: The fully-qualified name.
    ///   - fields: The fields, in any order.
    ///   - oneofNames: The names of the real oneofs.
    init(fullName: String, fields: [FieldSchema], oneofNames: [String]) {
        self.fullName = fullName
        self.fields = fields.sorted { $0.number < $1.number }
        self.oneofNames = oneofNames
        self.wellKnown = WellKnownType(fullName: fullName)
        var byNumber: [Int32: Int] = [:]
        var byKey: [String: Int] = [:]
        for (index, field) in self.fields.enumerated() {
            byNumber[field.number] = index
            byKey[field.name] = index
        }
        // JSON names win over proto names where one field's JSON name is another's proto name.
        for (index, field) in self.fields.enumerated() {
            byKey[field.jsonName] = index
        }
        self.indexByNumber = byNumber
        self.indexByJSONKey = byKey
    }

    /// The field with a number, if the message has one.
    func field(number: Int32) -> FieldSchema? {
        indexByNumber[number].map { fields[$0] }
    }

    /// The field a JSON object key names: its JSON name or its proto name.
    func field(jsonKey: String) -> FieldSchema? {
        indexByJSONKey[jsonKey].map { fields[$0] }
    }
}
