/// Someone to call: a resident's emergency contact.
public struct Contact: Sendable, Hashable, Codable {
    public var name: String
    public var phone: String
    /// How they are related: 女儿, 邻居, …
    public var relation: String

    /// Creates a contact.
    public init(name: String, phone: String, relation: String = "") {
        self.name = name
        self.phone = phone
        self.relation = relation
    }
}
